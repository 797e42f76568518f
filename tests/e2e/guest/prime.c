// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * e2e-prime: buffers shared between the frontend's card and vgem by PRIME.
 *
 * Usage: e2e-prime import CARD VGEM SEED|blank [ALIGN]
 *   A vgem dumb buffer of the first connector's preferred mode, filled with
 *   the pattern for SEED through vgem's mapping (or left as vgem made it,
 *   zeroed: in a Xen PV guest a write through vgem's write-combined
 *   mapping faults for ever), is imported into CARD and shown on that
 *   connector (ADDFB2, SETCRTC); then the program prints "e2e-prime:
 *   showing ..." and waits for a line or EOF on stdin (the host checks the
 *   backend's picture meanwhile), removes the framebuffer and exits.
 *   With ALIGN, as a GPU exporter aligns its pitch: the last connector,
 *   and the vgem buffer's lines padded to a multiple of ALIGN bytes; the
 *   framebuffer has the mode's width and that pitch.
 * Usage: e2e-prime export CARD VGEM SEED
 *   A dumb buffer of CARD, filled through CARD's mapping, is exported and
 *   imported into vgem; vgem exports its handle again and the pixels are
 *   read back through that dma-buf's mapping (vgem refuses MAP_DUMB on
 *   imported objects), inside DMA_BUF_IOCTL_SYNC.
 * Exit status 0 if every step worked and the pixels are intact.
 */
#include <fcntl.h>
#include <linux/dma-buf.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util.h"

#define PROG "e2e-prime"

struct dumb {
	uint32_t handle, pitch, width, height;
	uint64_t size;
};

static int dumb_create(int fd, uint32_t w, uint32_t h, struct dumb *d)
{
	struct drm_mode_create_dumb c = { .width = w, .height = h, .bpp = 32 };

	if (ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &c))
		return e2e_fail(PROG, "DRM_IOCTL_MODE_CREATE_DUMB");
	*d = (struct dumb){ c.handle, c.pitch, w, h, c.size };
	return 0;
}

static uint8_t *dumb_map(int fd, const struct dumb *d)
{
	struct drm_mode_map_dumb m = { .handle = d->handle };
	uint8_t *mem;

	if (ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &m)) {
		e2e_fail(PROG, "DRM_IOCTL_MODE_MAP_DUMB");
		return NULL;
	}
	mem = mmap(NULL, d->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		   (off_t)m.offset);
	if (mem == MAP_FAILED) {
		e2e_fail(PROG, "mmap");
		return NULL;
	}
	return mem;
}

/* Handle on to of the buffer handle on from, through a dma-buf fd. */
static int share(int from, uint32_t handle, int to, uint32_t *out)
{
	struct drm_prime_handle exp = { .handle = handle, .flags = DRM_CLOEXEC | DRM_RDWR };
	struct drm_prime_handle imp = { 0 };

	if (ioctl(from, DRM_IOCTL_PRIME_HANDLE_TO_FD, &exp))
		return e2e_fail(PROG, "DRM_IOCTL_PRIME_HANDLE_TO_FD");
	imp.fd = exp.fd;
	if (ioctl(to, DRM_IOCTL_PRIME_FD_TO_HANDLE, &imp)) {
		close(exp.fd);
		return e2e_fail(PROG, "DRM_IOCTL_PRIME_FD_TO_HANDLE");
	}
	close(exp.fd);
	*out = imp.handle;
	return 0;
}

/* The first (or @last) connected connector with a mode and a CRTC. */
static int find_output(int fd, struct e2e_output *out, int last)
{
	struct e2e_output all[8];
	struct e2e_res r;
	int n;

	if (e2e_get_res(fd, &r))
		return e2e_fail(PROG, "DRM_IOCTL_MODE_GETRESOURCES");
	n = e2e_find_outputs(fd, &r, all, last ? 8 : 1);
	if (n < 0)
		return e2e_fail(PROG, "reading the connectors");
	if (!n) {
		fprintf(stderr, PROG ": no connected connector with a mode and a CRTC\n");
		return 1;
	}
	*out = all[n - 1];
	return 0;
}

static int show_imported(int card, int vgem, uint32_t seed, int fill,
			 uint32_t align)
{
	struct drm_mode_crtc crtc = { 0 };
	struct drm_mode_fb_cmd2 fb = { 0 };
	struct e2e_output out;
	uint32_t handle, width;
	struct dumb d;
	uint8_t *mem;
	char line[16];

	if (find_output(card, &out, align != 0))
		return 1;
	/* vgem's pitch is its width * 4: a wider buffer pads the lines. */
	width = out.mode.hdisplay;
	if (align)
		width = (width * 4 + align - 1) / align * align / 4;
	if (dumb_create(vgem, width, out.mode.vdisplay, &d))
		return 1;
	d.width = out.mode.hdisplay;
	fprintf(stderr, PROG ": connector %u, crtc %u, mode %s; vgem buffer %u\n",
		out.conn, out.crtc, out.mode.name, d.handle);
	if (fill) {
		mem = dumb_map(vgem, &d);
		if (!mem)
			return 1;
		e2e_fill(mem, d.pitch, d.width, d.height, seed);
		munmap(mem, d.size);
	}
	if (share(vgem, d.handle, card, &handle))
		return 1;
	fprintf(stderr, PROG ": imported as handle %u\n", handle);
	fb = (struct drm_mode_fb_cmd2){
		.width = d.width, .height = d.height,
		.pixel_format = DRM_FORMAT_XRGB8888,
		.handles = { handle }, .pitches = { d.pitch },
	};
	if (ioctl(card, DRM_IOCTL_MODE_ADDFB2, &fb))
		return e2e_fail(PROG, "DRM_IOCTL_MODE_ADDFB2 of the imported buffer");
	crtc = (struct drm_mode_crtc){
		.crtc_id = out.crtc, .fb_id = fb.fb_id,
		.set_connectors_ptr = (uintptr_t)&out.conn, .count_connectors = 1,
		.mode = out.mode, .mode_valid = 1,
	};
	if (ioctl(card, DRM_IOCTL_MODE_SETCRTC, &crtc))
		return e2e_fail(PROG, "DRM_IOCTL_MODE_SETCRTC");
	printf(PROG ": showing a %ux%u vgem buffer (pitch %u) on connector %u, seed %u\n",
	       d.width, d.height, d.pitch, out.conn, seed);
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin) && ferror(stdin))
		return e2e_fail(PROG, "stdin");
	/* Removing a shown framebuffer turns its CRTC off first. */
	if (ioctl(card, DRM_IOCTL_MODE_RMFB, &fb.fb_id))
		return e2e_fail(PROG, "DRM_IOCTL_MODE_RMFB");
	return 0;
}

static int export_to_vgem(int card, int vgem, uint32_t seed)
{
	struct dma_buf_sync sync = { .flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ };
	struct drm_prime_handle exp = { .flags = DRM_CLOEXEC };
	uint32_t bad, h, handle;
	struct dumb d;
	uint8_t *mem;

	if (dumb_create(card, 640, 480, &d))
		return 1;
	mem = dumb_map(card, &d);
	if (!mem)
		return 1;
	e2e_fill(mem, d.pitch, d.width, d.height, seed);
	h = e2e_hash(mem, d.pitch, d.width, d.height);
	munmap(mem, d.size);
	if (share(card, d.handle, vgem, &handle))
		return 1;
	exp.handle = handle;
	if (ioctl(vgem, DRM_IOCTL_PRIME_HANDLE_TO_FD, &exp))
		return e2e_fail(PROG, "DRM_IOCTL_PRIME_HANDLE_TO_FD on vgem");
	mem = mmap(NULL, d.size, PROT_READ, MAP_SHARED, exp.fd, 0);
	if (mem == MAP_FAILED)
		return e2e_fail(PROG, "mmap of the dma-buf from vgem");
	if (ioctl(exp.fd, DMA_BUF_IOCTL_SYNC, &sync))
		return e2e_fail(PROG, "DMA_BUF_IOCTL_SYNC start");
	bad = e2e_check(mem, d.pitch, d.width, d.height, seed);
	sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ;
	if (ioctl(exp.fd, DMA_BUF_IOCTL_SYNC, &sync))
		return e2e_fail(PROG, "DMA_BUF_IOCTL_SYNC end");
	munmap(mem, d.size);
	close(exp.fd);
	printf(PROG ": %ux%u buffer exported to vgem, %u bad pixels read back through vgem's dma-buf, hash %08x\n",
	       d.width, d.height, bad, h);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	char name[64];
	int card, vgem;
	uint32_t seed;

	if (argc < 5 || argc > 6 ||
	    (strcmp(argv[1], "import") && strcmp(argv[1], "export"))) {
		fprintf(stderr, "usage: " PROG " import|export CARD VGEM SEED|blank [ALIGN]\n");
		return 2;
	}
	seed = (uint32_t)strtoul(argv[4], NULL, 0);
	card = open(argv[2], O_RDWR | O_CLOEXEC);
	if (card < 0)
		return e2e_fail(PROG, argv[2]);
	vgem = open(argv[3], O_RDWR | O_CLOEXEC);
	if (vgem < 0)
		return e2e_fail(PROG, argv[3]);
	if (e2e_driver_name(vgem, name, sizeof(name)) || strcmp(name, "vgem")) {
		fprintf(stderr, PROG ": %s is not vgem (driver \"%s\")\n", argv[3], name);
		return 1;
	}
	if (!strcmp(argv[1], "import"))
		return show_imported(card, vgem, seed, strcmp(argv[4], "blank"),
				     argc > 5 ? (uint32_t)strtoul(argv[5], NULL, 0) : 0);
	return export_to_vgem(card, vgem, seed);
}
