/* A {packet, 4} worker in C that writes its length as the machine's own uint32_t
   (fwrite(&length, 4, 1, stdout): little-endian on x86), where {packet, 4} wants big-endian
   (htonl). It reads the request's header right (ntohl). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
    uint32_t header;
    static char request[1 << 20];
    char body[256];
    while (fread(&header, 4, 1, stdin) == 1) {
        uint32_t length = ntohl(header);
        if (length >= sizeof request || fread(request, 1, length, stdin) != length) return 1;
        request[length] = 0;
        char *at = strstr(request, "\"id\"");
        long id = at ? strtol(strchr(at, ':') + 1, NULL, 10) : 0;
        snprintf(body, sizeof body, "{\"id\":%ld,\"success\":true,\"result\":{\"status\":\"ok\"}}", id);
        uint32_t out = (uint32_t)strlen(body);
        fwrite(&out, sizeof out, 1, stdout);
        fputs(body, stdout);
        fflush(stdout);
    }
    return 0;
}
