/* SPDX-License-Identifier: MIT */
/*
 * User-space stand-in for the kernel's <xen/interface/io/ring.h>, so that
 * the project's displif.h compiles against Debian's libxen-dev headers.
 *
 * Xen's public ring.h expects the includer to define the memory barriers
 * (libxenctrl does it in xenctrl.h, which we do not link). Requests and
 * responses are published with release/acquire ordering; the "mb" of the
 * notification checks must also order a store before a later load.
 */
#ifndef VDISPL_BE_COMPAT_RING_H
#define VDISPL_BE_COMPAT_RING_H

/* The current interface, as the Xen tools use it (the default is 0). */
#ifndef __XEN_INTERFACE_VERSION__
#define __XEN_INTERFACE_VERSION__ __XEN_LATEST_INTERFACE_VERSION__
#endif

#include <stddef.h>
#include <string.h>

#ifndef xen_mb
#define xen_mb()	__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb()	__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define xen_wmb()	__atomic_thread_fence(__ATOMIC_RELEASE)
#endif

#include <xen/grant_table.h>
#include <xen/io/ring.h>

#endif
