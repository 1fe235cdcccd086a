// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: one HTTP page body from Microsoft Graph (/users, /users/delta) or the Exchange admin API
// (InvokeCommand Get-Mailbox), parsed as the live clients' page handlers parse it: the @odata annotations the
// pager follows (readODataPageLinks), then the items (readGraphUsersJson, readExoMailboxesJson with the users
// as its GraphDirectory). A server Sunset does not control chooses these bytes.
#include "CloudPager.h"
#include "ExoMailboxJsonReader.h"
#include "GraphUsersJsonReader.h"

#include <QString>

#include <cstddef>
#include <cstdint>

using namespace Qt::Literals::StringLiterals;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArrayView body(reinterpret_cast<const char*>(data), qsizetype(size));
    const QString request = u"GET https://graph.example/v1.0/users, page 1"_s;
    const sunset::Result<sunset::ODataPageLinks> links = sunset::readODataPageLinks(body, request);
    if (links)
        (void)QUrl::fromEncoded(links->nextLink, QUrl::StrictMode);
    const sunset::Result<sunset::GraphDirectory> users = sunset::readGraphUsersJson(body, request);
    const sunset::Result<sunset::Snapshot> mailboxes =
        sunset::readExoMailboxesJson(body, request, users ? &users.value() : nullptr);
    if (!mailboxes)
        (void)mailboxes.error().toString();
    return 0;
}
