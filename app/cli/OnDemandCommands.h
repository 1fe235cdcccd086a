// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QStringList>
#include <QTextStream>

namespace sunset {

// sunset-cli provision-on-demand [--scan N] [--mailbox UPN]… [--attribute A]… --service-principal ID --job ID
//   [--rule-id ID] --tenant … (cloud sign-in) [--ad ldaps://… (AD re-read)] [--db FILE] [--dry-run]
int runProvisionOnDemandCommand(const QStringList& args, QTextStream& out, QTextStream& err);


} // namespace sunset
