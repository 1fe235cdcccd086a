// SPDX-License-Identifier: Apache-2.0
#include "AboutDialog.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

QString versionOf(const AboutFacts& facts)
{
    return facts.version.isEmpty() ? QCoreApplication::applicationVersion() : facts.version;
}

} // namespace

QString AboutDialog::plainText(const AboutFacts& facts)
{
    return u"Sunset "_s + versionOf(facts) + u"\nLicence: "_s + facts.licence + u'\n' + facts.components.join(u'\n');
}

AboutDialog::AboutDialog(const AboutFacts& facts, QWidget* parent)
    : QDialog(parent)
{
    setObjectName(u"aboutDialog"_s);
    setWindowTitle(tr("About Sunset"));
    auto* layout = new QVBoxLayout(this);

    auto* head = new QHBoxLayout;
    auto* icon = new QLabel(this);
    icon->setPixmap(QIcon(u":/icons/sunset.png"_s).pixmap(48, 48));
    icon->setAlignment(Qt::AlignTop);
    head->addWidget(icon);
    auto* title = new QLabel(tr("<h2>Sunset</h2><p>Version %1</p><p>Drift review and Active Directory writeback for "
                                "cloud-managed mailboxes, and the decommissioning of the last Exchange Server.</p>")
                                 .arg(versionOf(facts).toHtmlEscaped()),
                             this);
    title->setObjectName(u"aboutVersion"_s);
    title->setWordWrap(true);
    title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    head->addWidget(title, 1);
    layout->addLayout(head);

    auto* licence = new QLabel(tr("Licensed under the Apache License, Version 2.0 (SPDX: %1). You may use it in "
                                  "any organisation, change it and pass it on; the licence's text is in "
                                  "/usr/share/doc/sunset/copyright and LICENSE in the sources.")
                                   .arg(facts.licence.toHtmlEscaped()),
                               this);
    licence->setObjectName(u"aboutLicence"_s);
    licence->setWordWrap(true);
    layout->addWidget(licence);

    auto* libraries = new QLabel(tr("Runs with:") + u"<ul><li>"_s +
                                     facts.components.join(u"\n"_s).toHtmlEscaped().replace(u"\n"_s, u"</li><li>"_s) +
                                     u"</li></ul>"_s,
                                 this);
    libraries->setObjectName(u"aboutComponents"_s);
    libraries->setTextFormat(Qt::RichText);
    libraries->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(libraries);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton* copy = buttons->addButton(tr("&Copy details"), QDialogButtonBox::ActionRole);
    copy->setObjectName(u"copyAbout"_s);
    copy->setIcon(QIcon::fromTheme(u"edit-copy"_s));
    connect(copy, &QPushButton::clicked, this, [facts, copy] {
        QApplication::clipboard()->setText(plainText(facts));
        copy->setText(tr("Copied"));
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(560, sizeHint().height());
}

AboutDialog::~AboutDialog() = default;

} // namespace sunset
