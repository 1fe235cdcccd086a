// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the token endpoint's answer to a sign-in (graph/TokenProvider's parseTokenAnswer). The first
// byte picks the HTTP status (200 most of the time, else an error status whose body is described).
#include "TokenProvider.h"

#include <QString>

#include <cstddef>
#include <cstdint>

using namespace Qt::Literals::StringLiterals;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    int status = 200;
    if (size > 0 && data[0] < 0x20) {
        static constexpr int kStatuses[] = {400, 401, 403, 429, 500, 503, 0, 302};
        status = kStatuses[data[0] % 8];
        ++data;
        --size;
    }
    const QByteArrayView body(reinterpret_cast<const char*>(data), qsizetype(size));
    const sunset::Result<sunset::TokenAnswer> answer = sunset::parseTokenAnswer(
        status, "application/json; charset=utf-8", body, u"POST https://login.example/tenant/oauth2/v2.0/token"_s);
    if (answer) {
        if (answer->accessToken.isEmpty() || answer->expiresInSeconds <= 0)
            __builtin_trap(); // an accepted answer always has a token and a lifetime
    } else {
        (void)answer.error().toString();
    }
    return 0;
}
