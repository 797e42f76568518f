/* SPDX-License-Identifier: MIT */
/* User-space stand-in for the kernel's <xen/interface/grant_table.h>. */
#ifndef VDISPL_BE_COMPAT_GRANT_TABLE_H
#define VDISPL_BE_COMPAT_GRANT_TABLE_H

/* The current interface, as the Xen tools use it (the default is 0). */
#ifndef __XEN_INTERFACE_VERSION__
#define __XEN_INTERFACE_VERSION__ __XEN_LATEST_INTERFACE_VERSION__
#endif

#include <xen/grant_table.h>

#endif
