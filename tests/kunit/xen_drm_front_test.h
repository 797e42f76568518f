/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Helpers shared by the frontend's KUnit suites: a connected device and a
 * DRM client on it, as a compositor would have.
 */

#ifndef __XEN_DRM_FRONT_TEST_H_
#define __XEN_DRM_FRONT_TEST_H_

struct drm_device;
struct drm_file;
struct kunit;
struct mm_struct;
struct xdf_drm;
struct xdf_sim_config;
struct xdf_sim_dev;

/* How long a suite waits for the simulated backend and frontend to agree. */
#define XDF_TEST_WAIT_MS	3000

struct xdf_drm *xdf_test_connect(struct kunit *test,
				 const struct xdf_sim_config *cfg,
				 struct xdf_sim_dev **sdev);
struct drm_file *xdf_test_open(struct kunit *test, struct xdf_drm *xdrm);
void xdf_test_close(struct xdf_drm *xdrm, struct drm_file *file);
bool xdf_test_wait_unplugged(struct drm_device *drm);
struct xdf_drm *xdf_test_wait_reset(struct kunit *test,
				    struct xdf_sim_dev *sdev,
				    struct drm_device *old);
unsigned int xdf_test_num_events(struct drm_file *file);
struct mm_struct *xdf_test_process_start(struct kunit *test);
void xdf_test_process_exit(struct mm_struct **mm);

#endif /* __XEN_DRM_FRONT_TEST_H_ */
