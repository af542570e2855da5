#ifndef ORKESTRON_CMALLOC_H
#define ORKESTRON_CMALLOC_H

#include <stddef.h>

/* Serves every allocation of at least `bytes` with its own mmap(2), returned to the kernel when freed, for the
 * life of the process: glibc's M_MMAP_THRESHOLD, set once, which also turns off glibc's dynamic threshold (it
 * otherwise rises to the size of each large block freed, up to 32 MiB, after which such blocks are carved out of
 * the heap arenas and their pages stay resident once freed). mallopt(3) is declared in <malloc.h>, which Swift's
 * Glibc module does not import: hence this function. Returns 1 on success, 0 when glibc refused the value. */
int orkestron_fix_mmap_threshold(size_t bytes);

#endif
