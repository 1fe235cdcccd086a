// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDialog>

class QCheckBox;
class QLineEdit;

namespace sunset {

// Where the decommission checks read from, kept in the settings group "decommission" (the app's wiring reads it
// at each run): AD live (URI, bind UPN, password file, CA file or Kerberos) and Exchange Online live (tenant,
// client id, client secret file), or snapshot files in their place (AD's Exchange objects as LDIF, a Get-Mailbox
// export, the hybrid cmdlets' answers, the fresh scan's AD LDIF and Graph users, and Cloud Sync's jobs and their
// schemas as Graph returns them), and the Cloud Sync agent's account name. Secrets are never stored: only the paths of the owner-only files that hold them.
class DecommissionSourcesDialog final : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DecommissionSourcesDialog)

public:
    explicit DecommissionSourcesDialog(QWidget* parent = nullptr);
    ~DecommissionSourcesDialog() override;

    void accept() override; // saves

private:
    struct Field {
        QString key;
        QLineEdit* edit;
    };
    std::vector<Field> m_fields;
    QCheckBox* m_kerberos;
};

} // namespace sunset
