#ifndef QUILL_CMAXMINDDB_SHIM_H
#define QUILL_CMAXMINDDB_SHIM_H

#include <maxminddb.h>

// Swift can't read an `unsigned __int128` member, so its halves are read here.
static inline uint64_t quill_mmdb_uint128_high(const MMDB_entry_data_s *data) {
#if MMDB_UINT128_IS_BYTE_ARRAY
    uint64_t value = 0;
    for (int index = 0; index < 8; index++) value = (value << 8) | data->uint128[index];
    return value;
#else
    return (uint64_t)(data->uint128 >> 64);
#endif
}

static inline uint64_t quill_mmdb_uint128_low(const MMDB_entry_data_s *data) {
#if MMDB_UINT128_IS_BYTE_ARRAY
    uint64_t value = 0;
    for (int index = 8; index < 16; index++) value = (value << 8) | data->uint128[index];
    return value;
#else
    return (uint64_t)data->uint128;
#endif
}

#endif
