// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QLatin1StringView>
#include <QString>

#include <optional>
#include <span>

namespace sunset {

// How bad a drift on an attribute is. Ordered: a higher value is worse.
enum class Severity : quint8 { Normal = 0, Warning = 1, Critical = 2 };

QLatin1StringView severityName(Severity severity);
std::optional<Severity> severityFromName(QStringView name);

// How the AD value(s) and the Exchange Online value(s) of one attribute are compared.
enum class ComparisonRule : quint8 {
    ExactString,         // single-valued; exact, including leading/trailing spaces; "" in the cloud == absent in AD
    ExactStringSet,      // multi-valued; set of exact values, order irrelevant; [] == absent
    SmtpAddress,         // single-valued e-mail address; case-insensitive (mail vs WindowsEmailAddress)
    ProxyAddressSet,     // proxyAddresses vs EmailAddresses: set, address and prefix case-insensitive but SMTP: != smtp:
    Boolean,             // TRUE/True/true alike; absent == false
    RecipientTypeDetails, // AD holds the *remote* type of the cloud mailbox type
    RecipientDisplayType, // derived from the cloud mailbox type
    RemoteRecipientType,  // bit flags; the type bits must agree with the cloud mailbox type
    TargetAddress,        // must be SMTP: + one of the cloud's *.mail.onmicrosoft.com addresses
};

// The cloud property a catalog attribute is compared with. Several AD attributes derive from one property
// (the mailbox type drives three of them), so the cloud side of a record is keyed by this, not by attribute.
enum class CloudProperty : quint8 {
    EmailAddresses,
    WindowsEmailAddress,
    RecipientTypeDetails,
    HiddenFromAddressListsEnabled,
    Alias,
    CustomAttribute1, CustomAttribute2, CustomAttribute3, CustomAttribute4, CustomAttribute5,
    CustomAttribute6, CustomAttribute7, CustomAttribute8, CustomAttribute9, CustomAttribute10,
    CustomAttribute11, CustomAttribute12, CustomAttribute13, CustomAttribute14, CustomAttribute15,
    ExtensionCustomAttribute1, ExtensionCustomAttribute2, ExtensionCustomAttribute3, ExtensionCustomAttribute4,
    ExtensionCustomAttribute5,
    Count,
};

QLatin1StringView cloudPropertyName(CloudProperty property);
std::optional<CloudProperty> cloudPropertyFromName(QStringView exoName);
bool isMultiValued(CloudProperty property);

// Catalog order is display order: custom attributes, then addresses and types, then the four not written back.
enum class AttributeId : quint8 {
    ExtensionAttribute1, ExtensionAttribute2, ExtensionAttribute3, ExtensionAttribute4, ExtensionAttribute5,
    ExtensionAttribute6, ExtensionAttribute7, ExtensionAttribute8, ExtensionAttribute9, ExtensionAttribute10,
    ExtensionAttribute11, ExtensionAttribute12, ExtensionAttribute13, ExtensionAttribute14, ExtensionAttribute15,
    MsExchExtensionCustomAttribute1, MsExchExtensionCustomAttribute2, MsExchExtensionCustomAttribute3,
    MsExchExtensionCustomAttribute4, MsExchExtensionCustomAttribute5,
    ProxyAddresses,
    Mail,
    MsExchRecipientTypeDetails,
    MsExchRecipientDisplayType,
    MsExchHideFromAddressLists,
    MailNickname,
    TargetAddress,
    MsExchRemoteRecipientType,
    Count,
};
inline constexpr int kAttributeCount = int(AttributeId::Count);

// One attribute Sunset compares: the product's knowledge of an Exchange recipient attribute.
struct AttributeSpec {
    AttributeId id;
    QLatin1StringView ldapName;     // AD LDAP display name, as spelled in the schema
    QLatin1StringView exoName;      // the Exchange Online property shown to admins
    CloudProperty cloudProperty;    // where the cloud value comes from
    bool multiValued;               // on the AD side
    QLatin1StringView syntax;       // AD attribute syntax, for display and schema checks
    bool writtenBackByCloudSync;    // one of the 24 attributes Entra Cloud Sync writes back for cloud-managed mailboxes
    bool writableBySunset;          // Sunset may put it in a writeback batch
    ComparisonRule rule;
    Severity severity;              // severity of a drift (ProxyAddressSet/Mail may escalate, see DriftEngine)
    QLatin1StringView whatItIs;     // one line for the GUI and docs
};

// The attribute catalog: every attribute Sunset compares, in display order.
class AttributeCatalog final {
public:
    static std::span<const AttributeSpec> all();
    static const AttributeSpec& spec(AttributeId id);
    // LDAP attribute names are case-insensitive; options (";range=0-1499", ";binary") are ignored.
    static std::optional<AttributeId> byLdapName(QStringView name);
    static std::optional<AttributeId> byLdapName(QByteArrayView name);
    static int writtenBackCount();
};

} // namespace sunset
