// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Xen para-virtual display frontend: configuration from XenStore.
 *
 * The values come from the toolstack and the backend's domain, so they are
 * untrusted: each is parsed strictly and a bad one is reported with its
 * XenStore path and value, never guessed at.
 */

#include <linux/bitmap.h>
#include <linux/ctype.h>
#include <linux/err.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "xen_drm_front_proto.h"
#include "xen_drm_front_xen.h"

/* Largest version number accepted in the backend's list. */
#define XDF_VERSION_LIMIT	0xffff

/*
 * Parses a decimal number of at most @max with no sign, space or other
 * decoration. Returns the first character after it, or NULL.
 */
static const char *xdf_parse_uint(const char *s, u32 max, u32 *val)
{
	u32 v = 0;

	if (!isdigit(*s))
		return NULL;

	for (; isdigit(*s); s++) {
		v = v * 10 + (*s - '0');
		/* Checked per digit, so v * 10 cannot overflow. */
		if (v > max)
			return NULL;
	}

	*val = v;
	return s;
}

/**
 * xdf_cfg_parse_resolution() - parse a connector's "resolution" value
 * @value: the XenStore value, "<width>x<height>"
 * @width: the width, 1..XDF_MAX_DIMENSION
 * @height: the height, 1..XDF_MAX_DIMENSION
 *
 * Return: 0, or -EINVAL if @value is anything else.
 */
int xdf_cfg_parse_resolution(const char *value, u32 *width, u32 *height)
{
	const char *p;
	u32 w, h;

	p = xdf_parse_uint(value, XDF_MAX_DIMENSION, &w);
	if (!p || *p != XENDISPL_RESOLUTION_SEPARATOR[0])
		return -EINVAL;

	p = xdf_parse_uint(p + 1, XDF_MAX_DIMENSION, &h);
	if (!p || *p)
		return -EINVAL;

	if (!w || !h)
		return -EINVAL;

	*width = w;
	*height = h;
	return 0;
}

/**
 * xdf_cfg_parse_versions() - choose a protocol version from the backend's
 *			      "versions" list
 * @value: the XenStore value, positive numbers separated by commas
 * @version: the highest listed version this frontend speaks
 *
 * Return: 0; -EINVAL if @value is malformed; -EPROTONOSUPPORT if it lists
 * no version in XDF_PROTOCOL_MIN..XDF_PROTOCOL_MAX.
 */
int xdf_cfg_parse_versions(const char *value, unsigned int *version)
{
	const char *p = value;
	u32 best = 0, v;

	for (;;) {
		p = xdf_parse_uint(p, XDF_VERSION_LIMIT, &v);
		if (!p || !v)
			return -EINVAL;
		if (v >= XDF_PROTOCOL_MIN && v <= XDF_PROTOCOL_MAX && v > best)
			best = v;
		if (!*p)
			break;
		if (*p != XENDISPL_LIST_SEPARATOR[0])
			return -EINVAL;
		p++;
	}

	if (!best)
		return -EPROTONOSUPPORT;

	*version = best;
	return 0;
}

/*
 * XenStore values are the toolstack's or the backend's: logged escaped,
 * and only so much of them.
 */
static int xdf_log_len(const char *value)
{
	return strnlen(value, 64);
}

/* Returns the value of @dir/@node, ERR_PTR(-ENOENT) if it does not exist. */
static char *xdf_cfg_read_node(struct xenbus_device *xb_dev, const char *dir,
			       const char *node)
{
	char *value = xdf_xen_xs_read(XBT_NIL, dir, node);

	if (IS_ERR(value) && PTR_ERR(value) != -ENOENT)
		dev_err(&xb_dev->dev, "cannot read %s/%s: %ld\n",
			dir, node, PTR_ERR(value));
	return value;
}

/*
 * What the device's directory lists. Each XenStore request is a round trip
 * to another domain, on the path to the card's appearance: one listing
 * spares reading the nodes that are not there.
 */
struct xdf_cfg_listing {
	bool be_alloc;
	/* Connector directories 0..XDF_MAX_CONNECTORS listed. */
	DECLARE_BITMAP(connectors, XDF_MAX_CONNECTORS + 1);
};

/*
 * A connector directory's index, as the toolstack names it (decimal, no
 * leading zero), or -1 for any other entry.
 */
static int xdf_cfg_entry_index(const char *name)
{
	const char *end;
	u32 idx;

	if (name[0] == '0' && name[1])
		return -1;
	end = xdf_parse_uint(name, XDF_MAX_CONNECTORS, &idx);
	return end && !*end ? idx : -1;
}

static int xdf_cfg_list_device(struct xenbus_device *xb_dev,
			       struct xdf_cfg_listing *list)
{
	unsigned int i, num;
	char **names;
	int idx;

	names = xdf_xen_xs_directory(XBT_NIL, xb_dev->nodename, "", &num);
	if (IS_ERR(names)) {
		dev_err(&xb_dev->dev, "cannot list %s: %ld\n",
			xb_dev->nodename, PTR_ERR(names));
		return PTR_ERR(names);
	}

	memset(list, 0, sizeof(*list));
	for (i = 0; i < num; i++) {
		if (!strcmp(names[i], XENDISPL_FIELD_BE_ALLOC)) {
			list->be_alloc = true;
			continue;
		}
		idx = xdf_cfg_entry_index(names[i]);
		if (idx >= 0)
			__set_bit(idx, list->connectors);
	}
	kfree(names);
	return 0;
}

static int xdf_cfg_read_be_alloc(struct xenbus_device *xb_dev, bool listed,
				 bool *be_alloc)
{
	char *value;
	int ret = 0;

	/* Optional: absent means the frontend allocates. */
	*be_alloc = false;
	if (!listed)
		return 0;

	value = xdf_cfg_read_node(xb_dev, xb_dev->nodename,
				  XENDISPL_FIELD_BE_ALLOC);
	if (IS_ERR(value))
		return PTR_ERR(value) == -ENOENT ? 0 : PTR_ERR(value);

	if (!strcmp(value, "0") || !strcmp(value, "1")) {
		*be_alloc = value[0] == '1';
	} else {
		dev_err(&xb_dev->dev, "%s/%s is \"%*pE\", expected \"0\" or \"1\"\n",
			xb_dev->nodename, XENDISPL_FIELD_BE_ALLOC,
			xdf_log_len(value), value);
		ret = -EINVAL;
	}
	kfree(value);
	return ret;
}

static int xdf_cfg_read_version(struct xenbus_device *xb_dev,
				unsigned int *version)
{
	char *value;
	int ret;

	value = xdf_cfg_read_node(xb_dev, xb_dev->otherend,
				  XENDISPL_FIELD_BE_VERSIONS);
	if (IS_ERR(value)) {
		if (PTR_ERR(value) != -ENOENT)
			return PTR_ERR(value);
		/* Known backends publish no list: nothing to negotiate. */
		*version = 0;
		return 0;
	}

	ret = xdf_cfg_parse_versions(value, version);
	if (ret == -EINVAL)
		dev_err(&xb_dev->dev, "%s/%s is \"%*pE\", expected a list like \"1,2\"\n",
			xb_dev->otherend, XENDISPL_FIELD_BE_VERSIONS,
			xdf_log_len(value), value);
	else if (ret)
		dev_err(&xb_dev->dev, "%s/%s is \"%*pE\": no version in %d..%d, which this frontend speaks\n",
			xb_dev->otherend, XENDISPL_FIELD_BE_VERSIONS,
			xdf_log_len(value), value, XDF_PROTOCOL_MIN,
			XDF_PROTOCOL_MAX);
	kfree(value);
	return ret;
}

/*
 * The backend's feature-fb-viewport: "1" or nothing. Any other value, or
 * a node that cannot be read, means the backend did not announce it: the
 * frontend then only sends what every backend shows.
 */
static bool xdf_cfg_read_fb_viewport(struct xenbus_device *xb_dev)
{
	char *value;
	bool on;

	value = xdf_cfg_read_node(xb_dev, xb_dev->otherend,
				  XENDISPL_FIELD_BE_FB_VIEWPORT);
	if (IS_ERR(value))
		return false;
	on = !strcmp(value, "1");
	kfree(value);
	return on;
}

/*
 * Reads connector @idx, whose directory is listed, into @conn. Its
 * unique-id is the backend's to read (the frontend does not interpret it):
 * not read here, it would cost a XenStore round trip per connector.
 */
static int xdf_cfg_read_connector(struct xenbus_device *xb_dev,
				  unsigned int idx,
				  struct xdf_connector_cfg *conn)
{
	char *dir, *resolution;
	int ret;

	dir = kasprintf(GFP_KERNEL, "%s/%u", xb_dev->nodename, idx);
	if (!dir)
		return -ENOMEM;

	resolution = xdf_cfg_read_node(xb_dev, dir, XENDISPL_FIELD_RESOLUTION);
	if (IS_ERR(resolution)) {
		ret = PTR_ERR(resolution);
		if (ret == -ENOENT) {
			dev_err(&xb_dev->dev, "%s/%s is missing\n",
				dir, XENDISPL_FIELD_RESOLUTION);
			ret = -EINVAL;
		}
		goto out;
	}

	ret = xdf_cfg_parse_resolution(resolution, &conn->width, &conn->height);
	if (ret)
		dev_err(&xb_dev->dev, "%s/%s is \"%*pE\", expected <width>x<height>, each 1..%d\n",
			dir, XENDISPL_FIELD_RESOLUTION,
			xdf_log_len(resolution), resolution, XDF_MAX_DIMENSION);
	kfree(resolution);
out:
	kfree(dir);
	return ret;
}

/**
 * xdf_cfg_read() - read and validate a vdispl device's configuration
 * @xb_dev: the xenbus device
 * @cfg: filled on success
 *
 * The device's directory is listed first, so that only nodes that exist are
 * read. Connectors are those listed from index 0 up to the first missing
 * one; those from XDF_MAX_CONNECTORS on are ignored with a warning.
 *
 * Return: 0, or a negative errno after logging which node was wrong.
 */
int xdf_cfg_read(struct xenbus_device *xb_dev, struct xdf_cfg *cfg)
{
	struct xdf_cfg_listing list;
	unsigned int i;
	int ret;

	memset(cfg, 0, sizeof(*cfg));

	ret = xdf_cfg_list_device(xb_dev, &list);
	if (ret)
		return ret;

	ret = xdf_cfg_read_be_alloc(xb_dev, list.be_alloc, &cfg->be_alloc);
	if (ret)
		return ret;

	ret = xdf_cfg_read_version(xb_dev, &cfg->version);
	if (ret)
		return ret;
	cfg->fb_viewport = xdf_cfg_read_fb_viewport(xb_dev);

	for (i = 0; i < XDF_MAX_CONNECTORS && test_bit(i, list.connectors); i++) {
		ret = xdf_cfg_read_connector(xb_dev, i, &cfg->connectors[i]);
		if (ret)
			return ret;
	}
	cfg->num_connectors = i;

	if (!cfg->num_connectors) {
		dev_err(&xb_dev->dev, "%s/0/%s is missing: no connector configured\n",
			xb_dev->nodename, XENDISPL_FIELD_RESOLUTION);
		return -EINVAL;
	}

	if (i == XDF_MAX_CONNECTORS && test_bit(i, list.connectors))
		dev_warn(&xb_dev->dev, "%s/%u and later connectors ignored: at most %d are supported\n",
			 xb_dev->nodename, i, XDF_MAX_CONNECTORS);

	dev_dbg(&xb_dev->dev, "%u connector(s), be-alloc %d, protocol version %u, fb viewport %d\n",
		cfg->num_connectors, cfg->be_alloc, cfg->version,
		cfg->fb_viewport);
	return 0;
}
