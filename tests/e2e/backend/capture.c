// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "format.h"

bool be_capture_due(uint64_t now_ms, uint64_t *last_ms, unsigned int interval_ms)
{
	if (*last_ms && now_ms - *last_ms < interval_ms)
		return false;
	*last_ms = now_ms ? now_ms : 1;
	return true;
}

/* libpng reports errors by longjmp: keep the state it may clobber here. */
struct png_job {
	FILE *file;
	uint8_t *line;
	png_structp png;
	png_infop info;
};

static int png_encode(struct png_job *job, const struct be_frame *f)
{
	const struct be_format *format = be_format_find(f->format);
	uint32_t y, w = f->width, h = f->height;

	if (setjmp(png_jmpbuf(job->png)))
		return -EIO;
	png_init_io(job->png, job->file);
	/* Speed over size: the backend shares the CPU with the guest. */
	png_set_compression_level(job->png, 1);
	png_set_filter(job->png, 0, PNG_FILTER_SUB);
	png_set_IHDR(job->png, job->info, f->screen_width, f->screen_height, 8,
		     PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(job->png, job->info);

	/* The frame is within the screen (SET_CONFIG checks it); be safe. */
	if (f->x >= f->screen_width || f->y >= f->screen_height || !format)
		w = h = 0;
	if (w > f->screen_width - f->x)
		w = f->screen_width - f->x;
	if (h > f->screen_height - f->y)
		h = f->screen_height - f->y;
	for (y = 0; y < f->screen_height; y++) {
		memset(job->line, 0, (size_t)f->screen_width * 3);
		if (y >= f->y && y - f->y < h)
			be_format_to_rgb(f->format,
					 f->pixels + (uint64_t)(y - f->y) * f->pitch,
					 w, job->line + (size_t)f->x * 3);
		png_write_row(job->png, job->line);
	}
	png_write_end(job->png, NULL);
	return 0;
}

int be_png_write(const char *path, const struct be_frame *f)
{
	struct png_job job = { 0 };
	char tmp[4096];
	int ret = -ENOMEM;

	if (!f->screen_width || !f->screen_height)
		return -EINVAL;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	job.line = malloc((size_t)f->screen_width * 3);
	job.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	if (job.png)
		job.info = png_create_info_struct(job.png);
	if (!job.line || !job.info)
		goto out;
	job.file = fopen(tmp, "wb");
	if (!job.file) {
		ret = -errno;
		goto out;
	}
	ret = png_encode(&job, f);
	if (fclose(job.file) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		unlink(tmp);
out:
	png_destroy_write_struct(&job.png, &job.info);
	free(job.line);
	return ret;
}
