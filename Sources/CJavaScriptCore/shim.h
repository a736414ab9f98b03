#ifndef QUILL_CJAVASCRIPTCORE_SHIM_H
#define QUILL_CJAVASCRIPTCORE_SHIM_H

#include <JavaScriptCore/JavaScript.h>
#include <stdbool.h>

// Exported by libjavascriptcoregtk-4.1 but missing from its installed headers (JSContextRefPrivate.h).
// A callback returning true terminates the running script; NULL terminates at the limit.
typedef bool (*JSShouldTerminateCallback)(JSContextRef ctx, void *context);
JS_EXPORT void JSContextGroupSetExecutionTimeLimit(JSContextGroupRef group, double limit,
                                                   JSShouldTerminateCallback callback, void *context);
JS_EXPORT void JSContextGroupClearExecutionTimeLimit(JSContextGroupRef group);

// Exported but missing from the installed headers (JSBasePrivate.h): the heap's size and object counts.
JS_EXPORT JSObjectRef JSGetMemoryUsageStatistics(JSContextRef ctx);

// Exported but missing from the installed headers (JSBasePrivate.h): a full collection, finished before it returns.
JS_EXPORT void JSSynchronousGarbageCollectForDebugging(JSContextRef ctx);

#endif
