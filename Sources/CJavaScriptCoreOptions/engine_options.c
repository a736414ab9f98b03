#include "engine_options.h"

#include <stdlib.h>
#include <string.h>

// JavaScriptCore reads its options from the environment when the first VM is made. With signal-based
// traps (the default on Linux), a loop the optimizing JIT has compiled is never stopped at the time
// limit; polling traps check at every loop back-edge instead. The variable is set here, while the
// process has one thread: setenv beside another thread reading the environment (posix_spawn in
// Foundation's Process) crashes that thread. An operator's own JSC_usePollingTraps is left alone.
__attribute__((constructor)) static void quill_engine_options_set(void) {
    setenv("JSC_usePollingTraps", "true", 0);
}

bool quill_engine_options_polling_traps(void) {
    const char *value = getenv("JSC_usePollingTraps");
    return value != NULL && strcmp(value, "true") == 0;
}
