// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * e2e-dumb: the life of one dumb buffer, through the DRM ioctls only (the
 * guest image has no libdrm): CREATE_DUMB, MAP_DUMB and mmap, write a
 * pattern, read it back, DESTROY_DUMB. The backend maps the same pages: it
 * logs a hash of the pixels when the buffer is destroyed (vdispl-be
 * --hash), which must equal the one printed here.
 *
 * Usage: e2e-dumb CARD WIDTH HEIGHT SEED [close-first|exit-mapped|wait-write]
 * Prints "e2e-dumb: ... hash <8 hex digits>"; exit status 0 if every step
 * worked and the pattern read back intact.
 *
 * The order in which the buffer goes, for the mapping's life in the driver:
 *   (default)    munmap, DESTROY_DUMB, close the card
 *   close-first  DESTROY_DUMB and close the card right after mmap, then
 *                write, read back and munmap: the mapping alone keeps the
 *                buffer
 *   exit-mapped  exit with the buffer mapped, its handle and the card open:
 *                the kernel ends them all
 *   wait-write   as exit-mapped, but first print the line and wait for EOF
 *                on stdin (the device may be taken away meanwhile), then
 *                write the pattern of SEED + 1 to every page of the
 *                mapping: "e2e-dumb: written again" and status 0 if the
 *                mapping still took the writes, "e2e-dumb: SIGBUS ..." and
 *                status 3 if it refused them
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util.h"

static int fail(const char *what)
{
	return e2e_fail("e2e-dumb", what);
}

/* wait-write: where the write was when SIGBUS came. */
static volatile size_t write_off;

static void sigbus(int sig)
{
	char msg[80];
	int len;

	(void)sig;
	len = snprintf(msg, sizeof(msg), "e2e-dumb: SIGBUS writing at offset %zu\n",
		       (size_t)write_off);
	if (write(STDOUT_FILENO, msg, (size_t)len) < 0)
		_exit(4);
	_exit(3);
}

/* wait-write: EOF on stdin, then a new pattern over the whole mapping. */
static int wait_write(uint8_t *mem, const struct drm_mode_create_dumb *c,
		      uint32_t seed)
{
	char buf[64];
	uint32_t v;

	while (read(STDIN_FILENO, buf, sizeof(buf)) > 0)
		;
	signal(SIGBUS, sigbus);
	for (write_off = 0; write_off < c->size; write_off += 4) {
		v = e2e_pattern((write_off % c->pitch) / 4, write_off / c->pitch, seed);
		memcpy(mem + write_off, &v, 4);
	}
	printf("e2e-dumb: written again, %llu bytes\n", (unsigned long long)c->size);
	return 0;
}

static int destroy_dumb(int fd, uint32_t handle)
{
	struct drm_mode_destroy_dumb destroy = { .handle = handle };

	if (ioctl(fd, DRM_IOCTL_MODE_DESTROY_DUMB, &destroy))
		return fail("DRM_IOCTL_MODE_DESTROY_DUMB");
	return 0;
}

int main(int argc, char **argv)
{
	struct drm_mode_create_dumb create = { 0 };
	struct drm_mode_map_dumb map = { 0 };
	char name[64] = "";
	struct drm_version version = { .name = name, .name_len = sizeof(name) - 1 };
	const char *mode = argc == 6 ? argv[5] : "";
	int close_first = !strcmp(mode, "close-first");
	int wait = !strcmp(mode, "wait-write");
	int exit_mapped = wait || !strcmp(mode, "exit-mapped");
	uint32_t seed, bad, h;
	uint8_t *mem;
	int fd;

	if (argc != 5 && !(argc == 6 && (close_first || exit_mapped))) {
		fprintf(stderr, "usage: e2e-dumb CARD WIDTH HEIGHT SEED [close-first|exit-mapped|wait-write]\n");
		return 2;
	}
	create.width = (uint32_t)strtoul(argv[2], NULL, 0);
	create.height = (uint32_t)strtoul(argv[3], NULL, 0);
	create.bpp = 32;
	seed = (uint32_t)strtoul(argv[4], NULL, 0);

	fd = open(argv[1], O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fail(argv[1]);
	if (ioctl(fd, DRM_IOCTL_VERSION, &version))
		return fail("DRM_IOCTL_VERSION");
	if (ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &create))
		return fail("DRM_IOCTL_MODE_CREATE_DUMB");
	map.handle = create.handle;
	if (ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &map))
		return fail("DRM_IOCTL_MODE_MAP_DUMB");
	mem = mmap(NULL, create.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		   (off_t)map.offset);
	if (mem == MAP_FAILED)
		return fail("mmap");
	if (close_first) {
		if (destroy_dumb(fd, create.handle))
			return 1;
		close(fd);
	}
	e2e_fill(mem, create.pitch, create.width, create.height, seed);
	bad = e2e_check(mem, create.pitch, create.width, create.height, seed);
	h = e2e_hash(mem, create.pitch, create.width, create.height);
	if (!exit_mapped) {
		if (munmap(mem, create.size))
			return fail("munmap");
		if (!close_first) {
			if (destroy_dumb(fd, create.handle))
				return 1;
			close(fd);
		}
	}
	printf("e2e-dumb: %s driver %s: %ux%u pitch %u size %llu%s, %u bad pixels, hash %08x\n",
	       argv[1], name, create.width, create.height, create.pitch,
	       (unsigned long long)create.size,
	       close_first ? ", handle and card closed before munmap" :
	       wait ? ", waits for EOF with it mapped" :
	       exit_mapped ? ", exits with it mapped" : "", bad, h);
	fflush(stdout);
	if (!bad && wait)
		return wait_write(mem, &create, seed + 1);
	/* exit-mapped: the kernel unmaps and frees at exit. */
	return bad ? 1 : 0;
}
