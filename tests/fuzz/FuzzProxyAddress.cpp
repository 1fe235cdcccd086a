// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: proxyAddresses values and their comparison (models/ProxyAddress). The input is two values
// separated by the first NUL (or one value compared with itself). Properties, each a crash when broken:
// - equivalent is reflexive and symmetric, and equivalent values hash alike;
// - case rules: changing the letter case of the address (ASCII) keeps a value equivalent; so does changing
//   the case of a type other than SMTP; turning "SMTP:" into "smtp:" (primary into secondary) does not.
#include "ProxyAddress.h"

#include <QByteArray>

#include <cstddef>
#include <cstdint>

namespace {

QByteArray flipAsciiCase(QByteArrayView text)
{
    QByteArray out = text.toByteArray();
    for (char& c : out) {
        if (c >= 'a' && c <= 'z')
            c = char(c - 'a' + 'A');
        else if (c >= 'A' && c <= 'Z')
            c = char(c - 'A' + 'a');
    }
    return out;
}

void check(bool condition)
{
    if (!condition)
        __builtin_trap();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using sunset::ProxyAddress;
    const QByteArrayView bytes(reinterpret_cast<const char*>(data), qsizetype(size));
    const qsizetype nul = bytes.indexOf('\0');
    const QByteArrayView a = nul < 0 ? bytes : bytes.first(nul);
    const QByteArrayView b = nul < 0 ? bytes : bytes.sliced(nul + 1);

    check(ProxyAddress::equivalent(a, a));
    const bool ab = ProxyAddress::equivalent(a, b);
    check(ab == ProxyAddress::equivalent(b, a));
    if (ab)
        check(ProxyAddress::hash(a) == ProxyAddress::hash(b));

    const ProxyAddress pa(a);
    (void)pa.isSmtp();
    if (pa.type().isEmpty())
        return 0;
    check(pa.value().size() == pa.type().size() + 1 + pa.address().size());
    // The address in flipped case: still the same address.
    const QByteArray addressFlipped = pa.type().toByteArray() + ':' + flipAsciiCase(pa.address());
    check(ProxyAddress::equivalent(a, addressFlipped));
    check(ProxyAddress::hash(a) == ProxyAddress::hash(addressFlipped));
    // The type in flipped case: the same unless it turns primary SMTP into secondary or back.
    const QByteArray typeFlipped = flipAsciiCase(pa.type()) + ':' + pa.address().toByteArray();
    const bool primaryChanges = pa.isPrimarySmtp() || ProxyAddress(typeFlipped).isPrimarySmtp();
    check(ProxyAddress::equivalent(a, typeFlipped) == !primaryChanges);
    if (pa.type() == QByteArrayView("SMTP")) {
        const QByteArray secondary = QByteArray("smtp:") + pa.address().toByteArray();
        check(!ProxyAddress::equivalent(a, secondary));
    }
    return 0;
}
