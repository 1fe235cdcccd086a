// SPDX-License-Identifier: Apache-2.0
#include "DeviceCodeDialog.h"

#include <QApplication>
#include <QClipboard>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QUrl>
#include <QVBoxLayout>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

DeviceCodeDialog::DeviceCodeDialog(const QString& userCode, const QUrl& verificationUri, const QString& message,
                                   qint64 expiresInSeconds, QWidget* parent)
    : QDialog(parent)
{
    setObjectName(u"deviceCodeDialog"_s);
    setWindowTitle(tr("Sign in to Microsoft 365"));
    auto* layout = new QVBoxLayout(this);
    const QString link = verificationUri.toString().toHtmlEscaped();
    auto* intro = new QLabel(tr("Open <a href=\"%1\">%1</a> in a browser, enter this code and sign in with an "
                                "account that may read the tenant's mailboxes:").arg(link),
                             this);
    intro->setWordWrap(true);
    intro->setOpenExternalLinks(true);
    intro->setTextInteractionFlags(Qt::TextBrowserInteraction);
    layout->addWidget(intro);

    auto* codeRow = new QHBoxLayout;
    auto* code = new QLabel(userCode, this);
    code->setObjectName(u"userCode"_s);
    code->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    QFont big = code->font();
    big.setPointSizeF(big.pointSizeF() * 2);
    big.setBold(true);
    big.setFamily(u"monospace"_s);
    big.setStyleHint(QFont::Monospace);
    code->setFont(big);
    auto* copy = new QPushButton(QIcon::fromTheme(u"edit-copy"_s), tr("&Copy code"), this);
    copy->setObjectName(u"copyCode"_s);
    connect(copy, &QPushButton::clicked, this, [userCode, copy] {
        QApplication::clipboard()->setText(userCode);
        copy->setText(tr("Copied"));
    });
    codeRow->addWidget(code, 1);
    codeRow->addWidget(copy);
    layout->addLayout(codeRow);

    const QDateTime expires = QDateTime::currentDateTime().addSecs(expiresInSeconds);
    auto* details = new QLabel(tr("The code expires at %1. The scan continues by itself once you have signed in.")
                                   .arg(QLocale().toString(expires.time(), QLocale::ShortFormat)),
                               this);
    details->setWordWrap(true);
    layout->addWidget(details);
    if (!message.isEmpty()) {
        auto* service = new QLabel(message, this);
        service->setWordWrap(true);
        service->setStyleSheet(u"QLabel { color: palette(mid); }"_s);
        service->setTextInteractionFlags(Qt::TextSelectableByMouse);
        layout->addWidget(service);
    }
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(520, sizeHint().height());
}

DeviceCodeDialog::~DeviceCodeDialog() = default;

} // namespace sunset
