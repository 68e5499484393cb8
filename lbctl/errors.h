// ipvsadm 1.31's messages for failed kernel calls: ONE table from (operation, errno) to the text ipvsadm
// prints on stderr (STYLE.md lesson 11). The operation is ipvs::Error::operation as the port reports it
// (ipvs::operationName(): "add service", "edit destination", ...; "get service" for a listing of one
// service). Every entry was checked against the real ipvsadm on the 6.1 kernel (test/lbctl_vm/).
#pragma once

#include <string>
#include <string_view>

namespace ipvsd::lbctl {

// The line ipvsadm prints (without the newline): an operation-specific text, else a text for the errno
// alone, else strerror(errnum).
std::string kernelErrorMessage(std::string_view operation, int errnum);

// Exit statuses ipvsadm uses after a failed kernel call: 255 for a table change, 1 for a listing.
inline constexpr int kStatusKernelFailure = 255;
inline constexpr int kStatusListFailure = 1;

}  // namespace ipvsd::lbctl
