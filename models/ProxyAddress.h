// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArrayView>
#include <QString>

namespace sunset {

// One entry of proxyAddresses / EmailAddresses: "<type>:<address>", e.g. "SMTP:ann@contoso.com".
// Comparison follows Exchange: the type and the address are case-insensitive, except that an upper-case
// "SMTP:" marks the primary address and so differs from "smtp:". A value without a type prefix is kept
// whole as the address (it is still compared, so a malformed value shows up as drift instead of vanishing).
class ProxyAddress final {
public:
    explicit ProxyAddress(QByteArrayView utf8Value);

    QByteArrayView value() const { return m_value; }
    QByteArrayView type() const { return m_type; }
    QByteArrayView address() const { return m_address; }
    bool isSmtp() const;
    bool isPrimarySmtp() const;

    // Equal under the rule above. Symmetric; non-ASCII letters fold with Unicode simple case folding.
    static bool equivalent(QByteArrayView a, QByteArrayView b);
    // A hash consistent with equivalent().
    static size_t hash(QByteArrayView value);

private:
    QByteArrayView m_value;
    QByteArrayView m_type;
    QByteArrayView m_address;
};

// Case-insensitive equality of two UTF-8 strings (ASCII fast path, Unicode case folding otherwise).
bool equalsCaseInsensitive(QByteArrayView a, QByteArrayView b);
size_t hashCaseInsensitive(QByteArrayView value, size_t seed = 0);

} // namespace sunset
