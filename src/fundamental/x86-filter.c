/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The native x86 payload's filter stage (docs/format.md §4): liblzma's x86 BCJ filter over the
 * kernel text, which turns the relative targets of call/jmp (E8/E9) into absolute ones so the
 * same callee repeats as the same bytes and the compressor finds more matches. The CLI filters
 * after building the payload (with the system liblzma); the loaders undo it right after
 * decompressing, before the trailer, relocation table or image are used. The filter itself is
 * the library's (src/upstream/xz-bcj-x86.c), never ours.
 */
#include <string.h>

#include "unaligned.h"
#include "x86-payload.h"
#include "xz-bcj-x86.h"

const char *x86_payload_filter_name(uint32_t f) {
        switch (f) {
        case X86_FILTER_NONE:           return "none";
        case X86_FILTER_BCJ_X86:        return "x86 BCJ";
        }
        return "unknown";
}

void x86_payload_filter_range(const uint8_t *v, size_t len, const X86PayloadInfo *info, X86PayloadFilter f,
                              uint32_t *ret_offset, uint32_t *ret_size) {
        *ret_offset = 0;
        *ret_size = 0;
        if (f != X86_FILTER_BCJ_X86 || info->text_size == 0 || info->text_size > info->image_size)
                return;
        /* The kernel's .text section when the ELF names it inside the executable first segment
         * (the rest of that segment is .rodata, BTF and tables: filtering them too makes the zstd
         * payload 11.7 KB larger and the loader's pass 1.8x longer, docs/benchmarks.md), else
         * the whole segment. */
        *ret_size = info->text_size;
        X86ElfSections s;
        /* every header readable (n == shnum: 64-byte headers, at most 4096), the names inside the file */
        if (!x86_elf_sections(v, len, &s) || s.n == 0 || s.n != s.shnum || s.shstrndx >= s.n)
                return;
        X86ElfSection str = x86_elf_section(&s, s.shstrndx);
        if (!x86_elf_section_in_file(&s, &str))
                return;
        for (unsigned i = 0; i < s.n; i++) {
                X86ElfSection sh = x86_elf_section(&s, i);
                if (sh.type != 1 /* SHT_PROGBITS */ || !(sh.flags & 4 /* SHF_EXECINSTR */) || sh.name >= str.size ||
                    str.size - sh.name < sizeof(".text") || memcmp(v + str.offset + sh.name, ".text", sizeof(".text")) != 0)
                        continue;
                if (sh.addr < info->virt_base || sh.addr - info->virt_base > info->text_size || sh.size == 0 ||
                    sh.size > info->text_size - (sh.addr - info->virt_base))
                        return;
                *ret_offset = (uint32_t) (sh.addr - info->virt_base);
                *ret_size = (uint32_t) sh.size;
                return;
        }
}

static X86PayloadTrailer *trailer_of(uint8_t *p, size_t len) {
        return (X86PayloadTrailer *) (p + len - X86_PAYLOAD_TRAILER_SIZE);
}

X86PayloadResult x86_payload_set_filter(uint8_t *p, size_t len, X86PayloadFilter f, uint32_t offset, uint32_t size) {
        X86PayloadInfo i;
        X86PayloadResult r = x86_payload_parse(p, len, &i);
        if (r != X86P_OK)
                return r;
        if (i.filter != X86_FILTER_NONE)
                return X86P_BAD_FILTER;   /* one filter, once */
        X86PayloadTrailer *t = trailer_of(p, len);
        uint8_t saved[X86_PAYLOAD_TRAILER_SIZE];
        memcpy(saved, t, sizeof(saved));
        put_le32(t->filter, (uint32_t) f);
        put_le32(t->filter_offset, offset);
        put_le32(t->filter_size, size);
        r = x86_payload_parse(p, len, &i);
        if (r != X86P_OK)
                memcpy(t, saved, sizeof(saved));
        return r;
}

X86PayloadResult x86_payload_unfilter(uint8_t *p, size_t len, X86PayloadInfo *info) {
        if (!p || len < X86_PAYLOAD_TRAILER_SIZE)
                return X86P_BAD_TRAILER;
        if (info->filter == X86_FILTER_NONE)
                return X86P_OK;
        /* the trailer's check, against this buffer */
        if (!x86_payload_filter_ok(info, len - X86_PAYLOAD_TRAILER_SIZE))
                return X86P_BAD_FILTER;
        (void) zb_bcj_x86_decode(info->filter_offset, p + info->filter_offset, info->filter_size);
        X86PayloadTrailer *t = trailer_of(p, len);
        put_le32(t->filter, X86_FILTER_NONE);
        put_le32(t->filter_offset, 0);
        put_le32(t->filter_size, 0);
        info->filter = X86_FILTER_NONE;
        info->filter_offset = info->filter_size = 0;
        return X86P_OK;
}
