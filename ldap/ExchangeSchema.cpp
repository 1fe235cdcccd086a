// SPDX-License-Identifier: Apache-2.0
#include "ExchangeSchema.h"

#include "AttributeCatalog.h"
#include "LdapEscape.h"
#include "ProxyAddress.h"

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qsizetype kNamesShown = 6; // a message lists this many names, then "and N more"

bool isExchangeAttribute(QByteArrayView name)
{
    return name.size() > 6 && equalsCaseInsensitive(name.first(6), "msExch");
}

QString listNames(QByteArrayList names)
{
    // The attribute admins know Exchange by comes first.
    const auto marker = std::find_if(names.begin(), names.end(), [](const QByteArray& n) {
        return equalsCaseInsensitive(n, "msExchRecipientTypeDetails");
    });
    if (marker != names.end())
        std::rotate(names.begin(), marker, marker + 1);
    QStringList shown;
    for (qsizetype i = 0; i < names.size() && i < kNamesShown; ++i)
        shown << QString::fromUtf8(names[i]);
    QString text = shown.join(u", "_s);
    if (names.size() > kNamesShown)
        text += u" and %1 more"_s.arg(names.size() - kNamesShown);
    return text;
}

} // namespace

QByteArrayList exchangeSchemaAttributes()
{
    QByteArrayList names;
    for (const AttributeSpec& spec : AttributeCatalog::all())
        names << QByteArray(spec.ldapName.data(), spec.ldapName.size());
    return names;
}

LdapResult<SchemaCheck> checkExchangeSchema(LdapConnection& connection, const QByteArrayList& names)
{
    const auto dse = connection.readRootDse();
    if (!dse)
        return dse.error();
    if (dse->schemaNamingContext.isEmpty()) {
        return LdapError{LdapErrorCode::InvalidResponse,
                         0,
                         u"Checking the schema on %1: the root DSE names no schema naming context; this does not "
                         "look like Active Directory."_s.arg(connection.host()),
                         {}};
    }
    LdapSearchRequest request;
    request.baseDn = dse->schemaNamingContext;
    request.scope = LdapScope::OneLevel;
    request.pageSize = 0;
    request.attributes = {"lDAPDisplayName"};
    request.filter = "(&(objectClass=attributeSchema)(|";
    for (const QByteArray& name : names)
        request.filter += "(lDAPDisplayName=" + escapeFilterValue(name) + ')';
    request.filter += "))";

    std::vector<bool> found(size_t(names.size()), false);
    const auto searched = connection.search(request, [&](const LdifEntry& entry) -> LdapResult<void> {
        for (const LdifAttribute& attribute : entry.attributes) {
            if (!equalsCaseInsensitive(attribute.name, "lDAPDisplayName"))
                continue;
            for (qsizetype i = 0; i < names.size(); ++i) {
                if (equalsCaseInsensitive(attribute.value, names[i]))
                    found[size_t(i)] = true;
            }
        }
        return {};
    });
    if (!searched)
        return searched.error();
    SchemaCheck check;
    for (qsizetype i = 0; i < names.size(); ++i)
        (found[size_t(i)] ? check.present : check.missing) << names[i];
    return check;
}

QString describeSchemaCheck(const SchemaCheck& check)
{
    if (check.complete())
        return {};
    const bool anyExchangePresent = std::any_of(check.present.begin(), check.present.end(),
                                                [](const QByteArray& n) { return isExchangeAttribute(n); });
    const bool anyExchangeMissing = std::any_of(check.missing.begin(), check.missing.end(),
                                                [](const QByteArray& n) { return isExchangeAttribute(n); });
    if (anyExchangeMissing && !anyExchangePresent) {
        return u"This forest has no Exchange schema: %1 missing. Sunset needs the Exchange schema extensions, "
               "which the decommissioning must keep: removing the last Exchange server leaves them in place, and "
               "Entra Cloud Sync writes Exchange Online's changes back into them. A forest that never had them "
               "gets them from Exchange Setup /PrepareSchema."_s.arg(listNames(check.missing));
    }
    return u"The forest's schema lacks %1 (%2 of the %3 attributes Sunset compares): AD can hold no values "
           "for them, so Sunset can neither read nor write them there. An older Exchange schema is the usual cause; "
           "Exchange Setup /PrepareSchema of a current version adds them."_s.arg(
               listNames(check.missing), QString::number(check.missing.size()),
               QString::number(check.missing.size() + check.present.size()));
}

} // namespace sunset
