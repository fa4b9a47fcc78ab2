/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "compress.h"
#include "util.h"

int verb_zboot(int argc, char **argv);
int verb_build(int argc, char **argv);
int verb_inspect(int argc, char **argv);
int verb_extract(int argc, char **argv);
int verb_kexec(int argc, char **argv);
int verb_genkey(int argc, char **argv);
