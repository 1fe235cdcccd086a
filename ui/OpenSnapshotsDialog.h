#pragma once

#include "DriftSummary.h"

#include <QDialog>

class QFormLayout;
class QLineEdit;
class QPushButton;

namespace sunset {

// Asks for the snapshot files of a scan: the AD LDIF, the Get-Mailbox JSON or CSV, and optionally the Graph
// users JSON that gives cloud mailboxes their on-premises anchors.
class OpenSnapshotsDialog final : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OpenSnapshotsDialog)

public:
    explicit OpenSnapshotsDialog(QWidget* parent = nullptr);
    ~OpenSnapshotsDialog() override;

    void setFiles(const ReportSources& files);
    ReportSources files() const;

private:
    QLineEdit* addFileRow(const QString& label, const QString& placeholder, const QString& filter);
    void updateOk();

    QLineEdit* m_ad = nullptr;
    QLineEdit* m_exo = nullptr;
    QLineEdit* m_graph = nullptr;
    QPushButton* m_ok = nullptr;
    QFormLayout* m_form = nullptr;
};

} // namespace sunset
