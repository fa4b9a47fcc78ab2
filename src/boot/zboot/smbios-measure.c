/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Boot step: the SMBIOS structures that name the machine and carry systemd's OEM strings,
 * measured into PCR 1 (platform configuration) as systemd-stub and sd-boot 261 measure them,
 * so a PCR 1 policy sees the same value whichever of them (or we) started the kernel. Each is
 * one EV_EVENT_TAG event of the whole structure (formatted area and string set) with a
 * UTF-16 description; type 1's wake-up type byte, which depends on how the machine was powered
 * on, is measured as 0. The walk over the table is src/fundamental/smbios.c.
 */
#include "efivars.h"
#include "log.h"
#include "measure.h"
#include "smbios.h"
#include "smbios-efi.h"
#include "smbios-measure.h"
#include "uki-measure.h"
#include "util.h"

/* systemd's event tags (src/fundamental/tpm2-pcr.h) */
#define SMBIOS_TYPE1_EVENT_TAG_ID  UINT32_C(0xd5cb7cbc)
#define SMBIOS_TYPE2_EVENT_TAG_ID  UINT32_C(0xe0d47bc8)
#define SMBIOS_TYPE11_EVENT_TAG_ID UINT32_C(0xc0b3bd23)

/* Type 1: the wake-up type byte at 0x18 of the formatted area (SMBIOS 2.1 and later). sd-stub
 * zeroes the byte at that offset of the whole structure, whatever its formatted length (an
 * SMBIOS 2.0 type 1 is 8 bytes long: there it is a string byte); so do we, for the same PCR. */
#define SMBIOS_TYPE1_WAKE_UP_TYPE 0x18u

static bool measure_one(const SmbiosStructure *s, bool *measured) {
        size_t size = (size_t) s->length + s->strings_size;
        uint32_t tag;
        const char *desc;
        switch (s->type) {
        case SMBIOS_TYPE_SYSTEM:
                tag = SMBIOS_TYPE1_EVENT_TAG_ID;
                desc = "smbios:type1";
                break;
        case SMBIOS_TYPE_BASEBOARD:
                tag = SMBIOS_TYPE2_EVENT_TAG_ID;
                desc = "smbios:type2";
                break;
        case SMBIOS_TYPE_OEM_STRINGS:
                tag = SMBIOS_TYPE11_EVENT_TAG_ID;
                desc = "smbios:type11";
                break;
        default:
                return true;
        }
        if (s->type != SMBIOS_TYPE_SYSTEM || size <= SMBIOS_TYPE1_WAKE_UP_TYPE) {
                *measured |= measure_tagged_utf16(PCR_PLATFORM_CONFIG, s->data, size, tag, desc);
                return true;
        }
        /* a copy with the wake-up type 0 */
        uint8_t *copy;
        EFI_STATUS err = BS->AllocatePool(EfiLoaderData, size, (void **) &copy);
        if (err != EFI_SUCCESS) {
                (void) log_error_status(err, "SMBIOS type 1: no memory for a copy to measure");
                return false;
        }
        memcpy(copy, s->data, size);
        copy[SMBIOS_TYPE1_WAKE_UP_TYPE] = 0;
        *measured |= measure_tagged_utf16(PCR_PLATFORM_CONFIG, copy, size, tag, desc);
        BS->FreePool(copy);
        return true;
}

bool smbios_measure(void) {
        static const EFI_GUID loader_guid = LOADER_INFO_GUID;
        if (efivar_exists(&loader_guid, u"LoaderPcrSMBIOS"))
                return false;   /* the boot manager did it: a second time would change PCR 1 */
        /* Tagged events go to the TPM only (as sd-stub's): without one there is nothing to do,
         * and no reason to say so once per structure. */
        if (measure_tpm_active_pcr_banks() == 0) {
                log_debug("no TPM: SMBIOS not measured into PCR %u", PCR_PLATFORM_CONFIG);
                return false;
        }
        const void *table;
        size_t size;
        if (!smbios_firmware_table(&table, &size))
                return false;
        bool measured = false, complete = true;
        SmbiosStructure s;
        for (size_t off = 0; complete && smbios_next(table, size, &off, &s);)
                complete = measure_one(&s, &measured);
        /* LoaderPcrSMBIOS tells the OS (and a later boot stage) that PCR 1 holds them all */
        if (measured && complete) {
                static const char16_t pcr[] = u"1";
                (void) efivar_set_volatile(&loader_guid, u"LoaderPcrSMBIOS", pcr, sizeof(pcr));
                log_info("measured the SMBIOS types 1, 2 and 11 into PCR %u", PCR_PLATFORM_CONFIG);
        }
        return measured;
}
