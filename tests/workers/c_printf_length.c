/* A {packet, 4} worker in C that writes its length with printf("%zu") (decimal text, no
   newline) before the JSON, where {packet, 4} wants 4 binary bytes. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
    unsigned char header[4];
    static char request[1 << 20];
    char body[256];
    while (fread(header, 1, 4, stdin) == 4) {
        uint32_t length = (uint32_t)header[0] << 24 | header[1] << 16 | header[2] << 8 | header[3];
        if (length >= sizeof request || fread(request, 1, length, stdin) != length) return 1;
        request[length] = 0;
        char *at = strstr(request, "\"id\"");
        long id = at ? strtol(strchr(at, ':') + 1, NULL, 10) : 0;
        snprintf(body, sizeof body, "{\"id\":%ld,\"success\":true,\"result\":{\"status\":\"ok\"}}", id);
        printf("%zu%s", strlen(body), body);
        fflush(stdout);
    }
    return 0;
}
