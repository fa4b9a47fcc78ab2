/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "efi.h"
#include "proto/loaded-image.h"

/* What systemd-stub 257 does for the random seed (docs/stub.md "Random seed"): unless the boot
 * manager already did it (LoaderFeatures bit 6), refresh \loader\random-seed on the ESP of the
 * disk we were loaded from and install a LINUX_EFI_RANDOM_SEED configuration table for the
 * kernel. Every failure is logged (or, for "no seed file", silent) and ignored: the boot goes
 * on without a seed of ours. */
void random_seed_refresh(EFI_LOADED_IMAGE_PROTOCOL *li);
