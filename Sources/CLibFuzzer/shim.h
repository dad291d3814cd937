#ifndef DRIFTCHECK_CLIBFUZZER_SHIM_H
#define DRIFTCHECK_CLIBFUZZER_SHIM_H

// libFuzzer's driver (compiler-rt, linked by `-sanitize=fuzzer`). SwiftPM renames an executable's `main`, so the
// fuzzing build of DriftCheckFuzz starts libFuzzer itself through this entry point rather than libFuzzer's `main`.
// Only the fuzzing build references it.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
