// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: RFC 4515 filter escaping (ldap/LdapEscape's escapeFilterValue), the way Sunset builds its
// searches: a value an admin typed or a file held, dropped into an equality and a substring assertion. Property:
// the escaped value never changes the filter's structure. Checked twice: by a strict RFC 4515 parser here
// (the filter parses, has exactly the intended shape, and its assertion values unescape to the input) and by
// libldap's own filter encoder (it accepts the filter).
#include "LdapEscape.h"
#include "Rfc4515Filter.h"

#include <QByteArray>
#include <QString>

#include <lber.h>
#include <ldap.h>

#include <cstddef>
#include <cstdint>
#include <vector>

extern "C" int ldap_pvt_put_filter(BerElement* ber, const char* filter); // libldap's, exported but private

namespace {

void check(bool condition)
{
    if (!condition)
        __builtin_trap();
}

// A valid UTF-8 text, as RFC 4515 wants the unescaped bytes of a filter to be.
bool isValidUtf8(QByteArrayView text)
{
    return QString::fromUtf8(text).toUtf8() == text;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArrayView value(reinterpret_cast<const char*>(data), qsizetype(size));
    const QByteArray escaped = sunset::escapeFilterValue(value);
    check(escaped.indexOf('\0') < 0);
    check(isValidUtf8(escaped));

    // As BatchApplier/AdSource-style searches use it: equality on mail, prefix match on proxyAddresses.
    const QByteArray filter =
        QByteArray("(&(objectClass=user)(|(mail=") + escaped + ")(proxyAddresses=smtp:" + escaped + "*)))";
    sunset::test::FilterNode root;
    check(sunset::test::StrictFilterParser(filter).parse(root));
    check(root.kind == '&' && root.children.size() == 2);
    const sunset::test::FilterNode& objectClass = root.children[0];
    check(objectClass.kind == '=' && objectClass.attribute == "objectClass" && objectClass.parts.size() == 1 &&
          objectClass.parts[0] == "user");
    const sunset::test::FilterNode& either = root.children[1];
    check(either.kind == '|' && either.children.size() == 2);
    const sunset::test::FilterNode& mail = either.children[0];
    check(mail.attribute == "mail");
    if (value.isEmpty()) {
        check(mail.kind == '='); // "(mail=)": an empty equality value, still one assertion
    } else {
        check(mail.kind == '=' && mail.parts.size() == 1 && mail.parts[0] == value);
    }
    const QByteArray smtpValue = QByteArray("smtp:") + value.toByteArray();
    const sunset::test::FilterNode& proxy = either.children[1];
    check(proxy.kind == 's' && proxy.attribute == "proxyAddresses" && proxy.parts.size() == 2 &&
          proxy.parts[0] == smtpValue && proxy.parts[1].isEmpty());

    // libldap encodes the filter for the wire without complaint.
    BerElement* ber = ber_alloc_t(LBER_USE_DER);
    check(ber != nullptr);
    check(ldap_pvt_put_filter(ber, filter.constData()) == 0);
    ber_free(ber, 1);

    // The filter product code builds from a value (BatchApplier's address check) keeps its shape too.
    const std::optional<QByteArray> holderFilter = sunset::addressHolderFilter(value);
    check(holderFilter.has_value() == !value.contains('\0')); // NUL: refused, never searched for
    if (!holderFilter)
        return 0;
    const QByteArray& holder = *holderFilter;
    sunset::test::FilterNode holderRoot;
    check(sunset::test::StrictFilterParser(holder).parse(holderRoot));
    check(holderRoot.kind == '|' && holderRoot.children.size() == 2);
    check(holderRoot.children[0].kind == '=' && holderRoot.children[0].attribute == "proxyAddresses" &&
          holderRoot.children[0].parts == std::vector<QByteArray>{smtpValue});
    check(holderRoot.children[1].kind == '=' && holderRoot.children[1].attribute == "mail" &&
          holderRoot.children[1].parts == std::vector<QByteArray>{value.toByteArray()});

    ber = ber_alloc_t(LBER_USE_DER);
    check(ber != nullptr);
    check(ldap_pvt_put_filter(ber, holder.constData()) == 0);
    ber_free(ber, 1);
    return 0;
}
