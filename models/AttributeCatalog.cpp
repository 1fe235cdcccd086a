// SPDX-License-Identifier: Apache-2.0
#include "AttributeCatalog.h"


#include <array>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr std::array<QLatin1StringView, 3> kSeverityNames{"normal"_L1, "warning"_L1, "critical"_L1};

constexpr std::array<QLatin1StringView, 15> kExtensionAttributeNames{
    "extensionAttribute1"_L1,  "extensionAttribute2"_L1,  "extensionAttribute3"_L1,  "extensionAttribute4"_L1,
    "extensionAttribute5"_L1,  "extensionAttribute6"_L1,  "extensionAttribute7"_L1,  "extensionAttribute8"_L1,
    "extensionAttribute9"_L1,  "extensionAttribute10"_L1, "extensionAttribute11"_L1, "extensionAttribute12"_L1,
    "extensionAttribute13"_L1, "extensionAttribute14"_L1, "extensionAttribute15"_L1};
constexpr std::array<QLatin1StringView, 15> kCustomAttributeNames{
    "CustomAttribute1"_L1,  "CustomAttribute2"_L1,  "CustomAttribute3"_L1,  "CustomAttribute4"_L1,
    "CustomAttribute5"_L1,  "CustomAttribute6"_L1,  "CustomAttribute7"_L1,  "CustomAttribute8"_L1,
    "CustomAttribute9"_L1,  "CustomAttribute10"_L1, "CustomAttribute11"_L1, "CustomAttribute12"_L1,
    "CustomAttribute13"_L1, "CustomAttribute14"_L1, "CustomAttribute15"_L1};
constexpr std::array<QLatin1StringView, 5> kMsExchExtensionNames{
    "msExchExtensionCustomAttribute1"_L1, "msExchExtensionCustomAttribute2"_L1, "msExchExtensionCustomAttribute3"_L1,
    "msExchExtensionCustomAttribute4"_L1, "msExchExtensionCustomAttribute5"_L1};
constexpr std::array<QLatin1StringView, 5> kExtensionCustomNames{
    "ExtensionCustomAttribute1"_L1, "ExtensionCustomAttribute2"_L1, "ExtensionCustomAttribute3"_L1,
    "ExtensionCustomAttribute4"_L1, "ExtensionCustomAttribute5"_L1};

constexpr QLatin1StringView kUnicodeString = "Unicode String (2.5.5.12)"_L1;

std::array<AttributeSpec, kAttributeCount> buildCatalog()
{
    std::array<AttributeSpec, kAttributeCount> specs{};
    for (int i = 0; i < 15; ++i) {
        const auto id = AttributeId(int(AttributeId::ExtensionAttribute1) + i);
        specs[size_t(id)] = {id, kExtensionAttributeNames[size_t(i)], kCustomAttributeNames[size_t(i)],
                             CloudProperty(int(CloudProperty::CustomAttribute1) + i), false, kUnicodeString,
                             true, true, ComparisonRule::ExactString, Severity::Normal,
                             "Custom attribute, often read by line-of-business applications"_L1};
    }
    for (int i = 0; i < 5; ++i) {
        const auto id = AttributeId(int(AttributeId::MsExchExtensionCustomAttribute1) + i);
        specs[size_t(id)] = {id, kMsExchExtensionNames[size_t(i)], kExtensionCustomNames[size_t(i)],
                             CloudProperty(int(CloudProperty::ExtensionCustomAttribute1) + i), true, kUnicodeString,
                             true, true, ComparisonRule::ExactStringSet, Severity::Normal,
                             "Multi-valued custom attribute"_L1};
    }
    auto set = [&](AttributeSpec spec) { specs[size_t(spec.id)] = spec; };
    // A missing address breaks mail routing and address look-ups; an extra stale one is a warning
    // (the DriftEngine raises it to critical when the cloud has an address AD lacks or the primary differs).
    set({AttributeId::ProxyAddresses, "proxyAddresses"_L1, "EmailAddresses"_L1, CloudProperty::EmailAddresses, true,
         kUnicodeString, true, true, ComparisonRule::ProxyAddressSet, Severity::Warning,
         "All addresses of the mailbox; SMTP: marks the primary"_L1});
    set({AttributeId::Mail, "mail"_L1, "WindowsEmailAddress"_L1, CloudProperty::WindowsEmailAddress, false,
         kUnicodeString, true, true, ComparisonRule::SmtpAddress, Severity::Critical,
         "Primary SMTP address as applications read it"_L1});
    set({AttributeId::MsExchRecipientTypeDetails, "msExchRecipientTypeDetails"_L1, "RecipientTypeDetails"_L1,
         CloudProperty::RecipientTypeDetails, false, "Large Integer (2.5.5.16)"_L1, true, true,
         ComparisonRule::RecipientTypeDetails, Severity::Critical,
         "Recipient type; AD holds the remote type of the cloud mailbox"_L1});
    set({AttributeId::MsExchRecipientDisplayType, "msExchRecipientDisplayType"_L1, "RecipientTypeDetails"_L1,
         CloudProperty::RecipientTypeDetails, false, "Integer (2.5.5.9)"_L1, true, true,
         ComparisonRule::RecipientDisplayType, Severity::Warning,
         "Display type in address lists, derived from the mailbox type"_L1});
    // Not written back by Cloud Sync: drift here has another cause and another remedy.
    set({AttributeId::MsExchHideFromAddressLists, "msExchHideFromAddressLists"_L1,
         "HiddenFromAddressListsEnabled"_L1, CloudProperty::HiddenFromAddressListsEnabled, false,
         "Boolean (2.5.5.8)"_L1, false, false, ComparisonRule::Boolean, Severity::Warning,
         "Hidden from the global address list"_L1});
    set({AttributeId::MailNickname, "mailNickname"_L1, "Alias"_L1, CloudProperty::Alias, false, kUnicodeString, false,
         false, ComparisonRule::ExactString, Severity::Warning, "Exchange alias"_L1});
    set({AttributeId::TargetAddress, "targetAddress"_L1, "EmailAddresses"_L1, CloudProperty::EmailAddresses, false,
         kUnicodeString, false, false, ComparisonRule::TargetAddress, Severity::Critical,
         "Remote routing address: where on-premises mail for this mailbox is sent"_L1});
    set({AttributeId::MsExchRemoteRecipientType, "msExchRemoteRecipientType"_L1, "RecipientTypeDetails"_L1,
         CloudProperty::RecipientTypeDetails, false, "Large Integer (2.5.5.16)"_L1, false, false,
         ComparisonRule::RemoteRecipientType, Severity::Normal,
         "Remote mailbox provisioning flags (migrated, archive, room, equipment, shared)"_L1});
    return specs;
}

const std::array<AttributeSpec, kAttributeCount>& catalog()
{
    static const auto specs = buildCatalog();
    return specs;
}

QByteArrayView baseName(QByteArrayView name)
{
    const qsizetype semicolon = name.indexOf(';');
    return semicolon < 0 ? name : name.first(semicolon);
}

} // namespace

QLatin1StringView severityName(Severity severity) { return kSeverityNames[size_t(severity)]; }

std::optional<Severity> severityFromName(QStringView name)
{
    for (size_t i = 0; i < kSeverityNames.size(); ++i)
        if (name.compare(kSeverityNames[i], Qt::CaseInsensitive) == 0)
            return Severity(i);
    return std::nullopt;
}

QLatin1StringView cloudPropertyName(CloudProperty property)
{
    const int p = int(property);
    if (p >= int(CloudProperty::CustomAttribute1) && p < int(CloudProperty::CustomAttribute1) + 15)
        return kCustomAttributeNames[size_t(p - int(CloudProperty::CustomAttribute1))];
    if (p >= int(CloudProperty::ExtensionCustomAttribute1) && p < int(CloudProperty::Count))
        return kExtensionCustomNames[size_t(p - int(CloudProperty::ExtensionCustomAttribute1))];
    switch (property) {
    case CloudProperty::EmailAddresses: return "EmailAddresses"_L1;
    case CloudProperty::WindowsEmailAddress: return "WindowsEmailAddress"_L1;
    case CloudProperty::RecipientTypeDetails: return "RecipientTypeDetails"_L1;
    case CloudProperty::HiddenFromAddressListsEnabled: return "HiddenFromAddressListsEnabled"_L1;
    case CloudProperty::Alias: return "Alias"_L1;
    default: return {};
    }
}

std::optional<CloudProperty> cloudPropertyFromName(QStringView exoName)
{
    for (int p = 0; p < int(CloudProperty::Count); ++p)
        if (exoName.compare(cloudPropertyName(CloudProperty(p)), Qt::CaseInsensitive) == 0)
            return CloudProperty(p);
    return std::nullopt;
}

bool isMultiValued(CloudProperty property)
{
    return property == CloudProperty::EmailAddresses || int(property) >= int(CloudProperty::ExtensionCustomAttribute1);
}

std::span<const AttributeSpec> AttributeCatalog::all() { return catalog(); }

const AttributeSpec& AttributeCatalog::spec(AttributeId id) { return catalog()[size_t(id)]; }

std::optional<AttributeId> AttributeCatalog::byLdapName(QByteArrayView name)
{
    // 28 candidates, most rejected on length: cheaper than lower-casing into a hash key, and allocation-free.
    const QByteArrayView base = baseName(name);
    for (const AttributeSpec& spec : catalog())
        if (spec.ldapName.size() == base.size() &&
            QLatin1StringView(base.data(), base.size()).compare(spec.ldapName, Qt::CaseInsensitive) == 0)
            return spec.id;
    return std::nullopt;
}

std::optional<AttributeId> AttributeCatalog::byLdapName(QStringView name)
{
    return byLdapName(QByteArrayView(name.toUtf8()));
}

int AttributeCatalog::writtenBackCount()
{
    int n = 0;
    for (const AttributeSpec& spec : catalog())
        n += spec.writtenBackByCloudSync ? 1 : 0;
    return n;
}

} // namespace sunset
