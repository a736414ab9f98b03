#define _GNU_SOURCE
#include "quill_spawn.h"

#include <signal.h>
#include <spawn.h>

// Foundation's Process is not used: on Linux it lists /proc/self/fd before every spawn and copies each
// entry's whole 256-byte name buffer out of readdir's buffer, which reads past the end of the heap and
// crashes when the process has many descriptors open (a server's test run does).
int quill_spawn(const char *path, char *const argv[], char *const envp[], int input, int output, int error,
                const char *directory, pid_t *pid) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    int status = posix_spawn_file_actions_init(&actions);
    if (status != 0) return status;
    status = posix_spawnattr_init(&attributes);
    if (status != 0) {
        posix_spawn_file_actions_destroy(&actions);
        return status;
    }
    // dup2 onto 0, 1 and 2 clears close-on-exec on the copies; everything from 3 up is closed in the child.
    if (status == 0) status = posix_spawn_file_actions_adddup2(&actions, input, 0);
    if (status == 0) status = posix_spawn_file_actions_adddup2(&actions, output, 1);
    if (status == 0) status = posix_spawn_file_actions_adddup2(&actions, error, 2);
    if (status == 0) status = posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    if (status == 0 && directory != NULL) status = posix_spawn_file_actions_addchdir_np(&actions, directory);
    // The child starts with default signal handling, not this process's (SIGPIPE is ignored here).
    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    if (status == 0) status = posix_spawnattr_setsigdefault(&attributes, &all);
    if (status == 0) status = posix_spawnattr_setsigmask(&attributes, &none);
    if (status == 0) status = posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    if (status == 0) status = posix_spawn(pid, path, &actions, &attributes, argv, envp);
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    return status;
}
