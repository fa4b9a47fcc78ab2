/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* EFI_SIMPLE_FILE_SYSTEM_PROTOCOL and EFI_FILE_PROTOCOL: open, size, read, directory entries; write
 * and flush (the random seed file, random-seed.c). */
#pragma once

#include "../efi.h"
#include "../util.h"   /* _cleanup_() */

#define EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID \
        EFI_GUID_INIT(0x964e5b22, 0x6459, 0x11d2, 0x8e, 0x39, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b)
#define EFI_FILE_MODE_READ UINT64_C(1)
#define EFI_FILE_MODE_WRITE UINT64_C(2)
#define EFI_FILE_MODE_CREATE UINT64_C(0x8000000000000000)

typedef struct EFI_FILE_PROTOCOL EFI_FILE_PROTOCOL;
struct EFI_FILE_PROTOCOL {
        uint64_t Revision;
        EFI_STATUS (EFIAPI *Open)(EFI_FILE_PROTOCOL *This, EFI_FILE_PROTOCOL **NewHandle, const char16_t *FileName,
                                  uint64_t OpenMode, uint64_t Attributes);
        EFI_STATUS (EFIAPI *Close)(EFI_FILE_PROTOCOL *This);
        void *Delete;
        EFI_STATUS (EFIAPI *Read)(EFI_FILE_PROTOCOL *This, size_t *BufferSize, void *Buffer);
        EFI_STATUS (EFIAPI *Write)(EFI_FILE_PROTOCOL *This, size_t *BufferSize, const void *Buffer);
        EFI_STATUS (EFIAPI *GetPosition)(EFI_FILE_PROTOCOL *This, uint64_t *Position);
        EFI_STATUS (EFIAPI *SetPosition)(EFI_FILE_PROTOCOL *This, uint64_t Position);
        EFI_STATUS (EFIAPI *GetInfo)(EFI_FILE_PROTOCOL *This, const EFI_GUID *InformationType, size_t *BufferSize,
                                     void *Buffer);
        void *SetInfo;
        EFI_STATUS (EFIAPI *Flush)(EFI_FILE_PROTOCOL *This);
};

/* What Read() on a directory returns, one entry per call (and GetInfo with EFI_FILE_INFO_ID). */
#define EFI_FILE_INFO_ID \
        EFI_GUID_INIT(0x09576e92, 0x6d3f, 0x11d2, 0x8e, 0x39, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b)
#define EFI_FILE_SYSTEM_INFO_ID \
        EFI_GUID_INIT(0x09576e93, 0x6d3f, 0x11d2, 0x8e, 0x39, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b)
typedef struct {
        uint64_t Size;
        bool ReadOnly;           /* BOOLEAN, then padding to the next u64 (natural alignment) */
        uint64_t VolumeSize;
        uint64_t FreeSpace;
        uint32_t BlockSize;
        char16_t VolumeLabel[];
} EFI_FILE_SYSTEM_INFO;

#define EFI_FILE_READ_ONLY UINT64_C(0x01)
#define EFI_FILE_DIRECTORY UINT64_C(0x10)
typedef struct {
        uint64_t Size;          /* of this structure with the name's NUL */
        uint64_t FileSize;
        uint64_t PhysicalSize;
        uint8_t CreateTime[16], LastAccessTime[16], ModificationTime[16];   /* EFI_TIME */
        uint64_t Attribute;
        char16_t FileName[];
} EFI_FILE_INFO;

typedef struct EFI_SIMPLE_FILE_SYSTEM_PROTOCOL EFI_SIMPLE_FILE_SYSTEM_PROTOCOL;
struct EFI_SIMPLE_FILE_SYSTEM_PROTOCOL {
        uint64_t Revision;
        EFI_STATUS (EFIAPI *OpenVolume)(EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *This, EFI_FILE_PROTOCOL **Root);
};

/* A file closed at scope exit (NULL: nothing to close). */
static inline void file_closep(EFI_FILE_PROTOCOL **f) {
        if (*f)
                (*f)->Close(*f);
}
#define _cleanup_file_ _cleanup_(file_closep)

/* An open file's size and attributes (EFI_FILE_INFO; room for a name of 255 characters, the
 * most a FAT long name has). */
static inline EFI_STATUS file_size_attr(EFI_FILE_PROTOCOL *f, uint64_t *ret_size, uint64_t *ret_attr) {
        static const EFI_GUID info_guid = EFI_FILE_INFO_ID;
        union {
                EFI_FILE_INFO info;
                uint8_t buf[sizeof(EFI_FILE_INFO) + 256 * sizeof(char16_t)];
        } u;
        size_t n = sizeof(u);
        EFI_STATUS err = f->GetInfo(f, &info_guid, &n, &u);
        if (err != EFI_SUCCESS)
                return err;
        *ret_size = u.info.FileSize;
        *ret_attr = u.info.Attribute;
        return EFI_SUCCESS;
}

/* The first size bytes of an open file (its size, as file_size_attr() or the directory entry
 * says) from its current position into new pool memory (ours to free; one byte for an empty
 * file); a short read (the file changed under us) is EFI_DEVICE_ERROR. */
static inline EFI_STATUS file_read_pool(EFI_FILE_PROTOCOL *f, uint64_t size, void **ret) {
        if (size > SIZE_MAX)
                return EFI_BAD_BUFFER_SIZE;
        void *data;
        EFI_STATUS err = BS->AllocatePool(EfiLoaderData, size ? (size_t) size : 1, &data);
        if (err != EFI_SUCCESS)
                return err;
        size_t got = (size_t) size;
        err = f->Read(f, &got, data);
        if (err == EFI_SUCCESS && got != size)
                err = EFI_DEVICE_ERROR;
        if (err != EFI_SUCCESS) {
                BS->FreePool(data);
                return err;
        }
        *ret = data;
        return EFI_SUCCESS;
}

/* Whether the volume of an open file says it is read-only (EFI_FILE_SYSTEM_INFO; room for a
 * label of 63 characters); false when it cannot tell. */
static inline bool volume_read_only(EFI_FILE_PROTOCOL *f) {
        static const EFI_GUID fsi_guid = EFI_FILE_SYSTEM_INFO_ID;
        union {
                EFI_FILE_SYSTEM_INFO info;
                uint8_t buf[sizeof(EFI_FILE_SYSTEM_INFO) + 64 * sizeof(char16_t)];
        } u;
        size_t n = sizeof(u);
        return f->GetInfo(f, &fsi_guid, &n, &u) == EFI_SUCCESS && n >= offsetof(EFI_FILE_SYSTEM_INFO, VolumeSize) &&
               u.info.ReadOnly;
}
