/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SBAT (UEFI Secure Boot Advanced Targeting) metadata: shim refuses binaries whose
 * generation is revoked. Component "ukify-zboot" generation 1; distributions append their
 * own line when they package it.
 */
#include "version.h" /* PROJECT_VERSION */

extern __attribute__((visibility("default"))) const char sbat[];

__attribute__((section(".sbat"), used, visibility("default"))) const char sbat[] =
        "sbat,1,SBAT Version,sbat,1,https://github.com/rhboot/shim/blob/main/SBAT.md\n"
        "ukify-zboot,1,ukify-zboot project,ukify-zboot," PROJECT_VERSION ",https://example.invalid/ukify-zboot\n";
