// Declarations only: the driver itself comes from the fuzzer runtime (`-sanitize=fuzzer`).
#include "LibFuzzerDriver.h"
