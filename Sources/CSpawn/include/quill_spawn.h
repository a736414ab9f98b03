#ifndef QUILL_SPAWN_H
#define QUILL_SPAWN_H

#include <sys/types.h>

// Starts `path` with `argv` and `envp` (NULL-terminated), its standard input, output and error on the
// given descriptors, in `directory` (NULL: this process's), with every other descriptor closed and
// default signal dispositions and an empty signal mask. Returns 0 and sets `pid`, or an errno value.
int quill_spawn(const char *path, char *const argv[], char *const envp[], int input, int output, int error,
                const char *directory, pid_t *pid);

#endif
