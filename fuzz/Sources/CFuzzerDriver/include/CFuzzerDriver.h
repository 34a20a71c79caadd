#ifndef TIDINGS_FUZZ_C_FUZZER_DRIVER_H
#define TIDINGS_FUZZ_C_FUZZER_DRIVER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (in the runtime that `-sanitize=fuzzer` links): parses libFuzzer's
/// flags from argv and runs `callback` on each input. The harnesses call it from their own
/// entry point, because SwiftPM links every executable with `main` renamed to
/// `<Module>_main`, which hides libFuzzer's own `main`.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
