// libFuzzer's driver, for executables that keep their own `main` (SwiftPM renames an
// executable's entry point, so libFuzzer's `main` cannot be the one that runs).
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
