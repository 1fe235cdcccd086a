// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "CloudPager.h"

#include <QByteArray>
#include <QString>
#include <QUrl>

namespace sunset {

// The Exchange Online admin API's InvokeCommand request, for cmdlets other than Get-Mailbox (ExoMailboxClient
// builds its own): POST {endpoint}/adminapi/beta/{tenant}/InvokeCommand with {"CmdletInput": {"CmdletName": …,
// "Parameters": {…}}}, app-only anchor mailbox, JSON answers, the same body re-POSTed to each nextLink.
QUrl exoInvokeCommandUrl(const QUrl& endpoint, const QString& tenant);
// parametersJson: a JSON object, "{}" for none.
CloudPager::Request exoInvokeCommandRequest(const QUrl& endpoint, const QString& tenant, const QString& resource,
                                            const QString& cmdletName, const QByteArray& parametersJson,
                                            const QString& itemName);

} // namespace sunset
