/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The few POSIX types upstream headers compiled freestanding name (libmd's sha1.h: off_t). */
#pragma once
#include <stddef.h>
#include <stdint.h>
typedef int64_t off_t;
