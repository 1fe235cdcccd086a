// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "LdapConnection.h"

#include <QByteArrayList>
#include <QString>

namespace sunset {

// Which of the attributes Sunset needs the forest's schema defines (attributeSchema objects, by
// lDAPDisplayName). A forest that never had Exchange, or whose schema was cleaned up, has none of the msExch*
// attributes.
struct SchemaCheck {
    QByteArrayList present; // in the order asked
    QByteArrayList missing; // in the order asked
    bool complete() const { return missing.isEmpty(); }
};

// The attributes of the catalog: the Exchange recipient attributes plus mail and proxyAddresses.
QByteArrayList exchangeSchemaAttributes();

// Looks the names up in the schema naming context (taken from the root DSE) with one search. Needs a bound
// connection (AD lets anyone read the root DSE, but not the schema).
LdapResult<SchemaCheck> checkExchangeSchema(LdapConnection& connection,
                                            const QByteArrayList& names = exchangeSchemaAttributes());

// For an admin: empty when nothing is missing. A forest without any msExch* attribute "has no Exchange
// schema"; one that lacks some has an incomplete or older one.
QString describeSchemaCheck(const SchemaCheck& check);

} // namespace sunset
