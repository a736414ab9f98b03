#ifndef QUILL_ENGINE_OPTIONS_H
#define QUILL_ENGINE_OPTIONS_H

#include <stdbool.h>

// Whether JavaScriptCore's polling traps were asked for before the process's first thread started
// (true unless the operator set JSC_usePollingTraps themselves).
bool quill_engine_options_polling_traps(void);

#endif
