#include "CMalloc.h"

#include <malloc.h>

int orkestron_fix_mmap_threshold(size_t bytes) {
    return mallopt(M_MMAP_THRESHOLD, (int)bytes);
}
