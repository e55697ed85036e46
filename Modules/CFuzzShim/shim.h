// libFuzzer's driver, present only when linked with -sanitize=fuzzer.
// A weak reference is null otherwise, so the same fuzz target also builds in
// a plain `swift build`, where it replays corpus files instead.
#include <stddef.h>
#include <stdint.h>

typedef int (*shim_fuzz_callback)(const uint8_t *data, size_t size);
extern int LLVMFuzzerRunDriver(int *argc, char ***argv, shim_fuzz_callback callback) __attribute__((weak));

static inline int shim_libfuzzer_linked(void) { return LLVMFuzzerRunDriver != 0; }
static inline int shim_run_libfuzzer(int *argc, char ***argv, shim_fuzz_callback callback) {
    return LLVMFuzzerRunDriver(argc, argv, callback);
}
