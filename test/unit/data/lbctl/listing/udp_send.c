/* Recording helper (not part of lbctl): sends one UDP datagram with a SIP request carrying a Call-ID, so
 * that the guest's IPVS sip persistence engine makes connection entries with PE data.
 *   udp_send ADDR PORT CALLID   (IPv4) */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char** argv) {
    if (argc != 4) return 2;
    char msg[512];
    int n = snprintf(msg, sizeof msg,
                     "OPTIONS sip:x@%s SIP/2.0\r\nVia: SIP/2.0/UDP 10.2.0.1\r\nCall-ID: %s\r\nCSeq: 1 OPTIONS\r\n"
                     "Content-Length: 0\r\n\r\n", argv[1], argv[3]);
    struct sockaddr_in to;
    memset(&to, 0, sizeof to);
    to.sin_family = AF_INET;
    to.sin_port = htons((unsigned short)atoi(argv[2]));
    if (inet_pton(AF_INET, argv[1], &to.sin_addr) != 1) return 2;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0 || sendto(fd, msg, (size_t)n, 0, (struct sockaddr*)&to, sizeof to) != n) return 1;
    close(fd);
    return 0;
}
