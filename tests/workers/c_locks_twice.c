/* A line worker in C whose handler takes a mutex it already holds: an error-checking mutex is
   not used, so the second pthread_mutex_lock waits for ever in futex, one thread, nothing to
   release it (a deadlock written by hand, as a handler calling a helper that locks again). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t state = PTHREAD_MUTEX_INITIALIZER;

static void record(void) {
    pthread_mutex_lock(&state); /* the caller holds it already */
    pthread_mutex_unlock(&state);
}

int main(void) {
    char line[65536];
    setvbuf(stdout, NULL, _IOLBF, 0);
    while (fgets(line, sizeof line, stdin) != NULL) {
        pthread_mutex_lock(&state);
        record();
        pthread_mutex_unlock(&state);
        fputs("{\"id\": 1, \"success\": true, \"result\": {}}\n", stdout);
    }
    return 0;
}
