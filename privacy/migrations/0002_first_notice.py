# ruff: noqa: E501 - the notice's paragraphs are stored one per line, as people read them
"""The first privacy notice (version 1), published when the migration runs. Plain text:
paragraphs separated by blank lines (the public page keeps the line breaks)."""

from django.db import migrations
from django.utils import timezone

TITLE_RO = "Notă de informare privind prelucrarea datelor cu caracter personal"
TITLE_EN = "Privacy notice: how we process your personal data"

BODY_RO = """\
Cine prelucrează datele
Operatorul datelor dumneavoastră este Agenția Națională pentru Egalitatea de Șanse între Femei și Bărbați (ANES), instituție publică, cu sediul în Str. Stavropoleos nr. 6, sector 3, București. Formativ este platforma prin care ANES și partenerii săi județeni organizează formările pentru profesioniștii care lucrează cu victimele violenței domestice.

Ce date prelucrăm
- date de identificare și de contact: numele, adresa de e-mail, numărul de telefon, sexul;
- date profesionale: instituția, județul sau sectorul, categoria profesională, funcția, apartenența la echipele intersectoriale locale;
- datele participării: înscrierile la sesiuni și istoricul lor, prezența, certificatele emise;
- datele contului: adresa de e-mail verificată, data creării contului, consimțămintele exprimate;
- codul numeric personal (CNP), numai acolo unde finanțatorul unui proiect îl cere (vezi mai jos).

În ce scopuri
- organizarea formărilor: înscriere, confirmarea locului, lista de așteptare, prezență, comunicări despre sesiunile la care sunteți înscris(ă);
- emiterea și verificarea certificatelor de participare sau de absolvire;
- raportarea către finanțatori și autoritățile de management ale proiectelor și controlul sau auditul acestora;
- cu acordul dumneavoastră, informarea despre formări viitoare.

Temeiul legal
- îndeplinirea unei sarcini de interes public și a atribuțiilor legale ale ANES (art. 6 alin. (1) lit. e) din Regulamentul (UE) 2016/679 - GDPR);
- îndeplinirea obligațiilor legale, inclusiv a celor care decurg din contractele de finanțare, privind raportarea și păstrarea documentelor (art. 6 alin. (1) lit. c) din GDPR);
- consimțământul dumneavoastră, numai pentru a vă contacta despre formări viitoare (art. 6 alin. (1) lit. a) din GDPR). Îl puteți retrage oricând din profilul contului, fără a afecta celelalte prelucrări.

Codul numeric personal (CNP)
Vă cerem CNP-ul numai la înscrierea la sesiunile unui proiect al cărui finanțator îl solicită pentru raportare. Îl prelucrăm cu garanțiile prevăzute de art. 4 din Legea nr. 190/2018: îl păstrăm criptat, îl afișăm numai mascat, nu îl includem în certificate, în adrese web sau în jurnale și îl folosim numai pentru raportarea cerută de finanțator. În afara acestor cazuri nu vă cerem CNP-ul.

Cine primește datele
Datele sunt accesibile, fiecăruia numai în măsura în care îi sunt necesare, personalului ANES care organizează formările, coordonatorilor județeni, punctelor focale ale instituțiilor (pentru persoanele pe care le nominalizează) și formatorilor (pentru sesiunile pe care le susțin). Le transmitem finanțatorilor, autorităților de management și organismelor de control sau audit, atunci când legea ori contractul de finanțare o cer. Lista participanților nu este publică.

Cât timp păstrăm datele
Păstrăm datele până la sfârșitul perioadei de audit a proiectului în care ați participat (perioada de păstrare a documentelor stabilită prin contractul de finanțare). După această dată, datele care vă identifică sunt anonimizate: rămân numai cifrele statistice (de exemplu, numărul persoanelor formate), fără numele, datele de contact sau CNP-ul dumneavoastră.

Drepturile dumneavoastră
- dreptul de acces: în contul dumneavoastră, pagina „Datele mele” vă arată toate datele pe care le deținem despre dumneavoastră și vă permite să le descărcați;
- dreptul la rectificare: vă puteți corecta datele în profil sau ne puteți cere să le corectăm;
- dreptul la ștergere și dreptul la restricționarea prelucrării, în limitele obligațiilor legale de păstrare;
- dreptul de opoziție, pentru prelucrările întemeiate pe interesul public;
- dreptul de a vă retrage consimțământul pentru a fi contactat(ă) despre formări viitoare;
- dreptul de a depune o plângere la Autoritatea Națională de Supraveghere a Prelucrării Datelor cu Caracter Personal (ANSPDCP).

Contact
Pentru orice întrebare sau cerere privind datele dumneavoastră, vă puteți adresa responsabilului cu protecția datelor al ANES, prin datele de pe pagina de Contact a site-ului.

Modificări
Când această notă se modifică, publicăm o versiune nouă și vă rugăm să o citiți la următoarea vizită în cont. Versiunile anterioare rămân disponibile pe această pagină.
"""

BODY_EN = """\
Who processes your data
The controller of your data is the National Agency for Equal Opportunities between Women and Men (ANES, Agenția Națională pentru Egalitatea de Șanse între Femei și Bărbați), a public body, Str. Stavropoleos nr. 6, sector 3, Bucharest. Formativ is the platform through which ANES and its county partners organise trainings for the professionals who work with victims of domestic violence.

What data we process
- identification and contact data: name, e-mail address, phone number, sex;
- professional data: institution, county or sector, professional category, job title, membership of intersectoral local teams;
- participation data: registrations for sessions and their history, attendance, certificates issued;
- account data: the verified e-mail address, when the account was created, the consents given;
- the personal numeric code (CNP), only where a project's funder requires it (see below).

For what purposes
- organising trainings: registration, confirming your seat, the waiting list, attendance, messages about the sessions you registered for;
- issuing and verifying certificates of participation or completion;
- reporting to the projects' funders and managing authorities, and their checks and audits;
- with your consent, telling you about future trainings.

Legal basis
- the performance of a task carried out in the public interest and of ANES's legal duties (Article 6(1)(e) of Regulation (EU) 2016/679, the GDPR);
- compliance with legal obligations, including those arising from funding contracts, on reporting and keeping records (Article 6(1)(c) GDPR);
- your consent, only for contacting you about future trainings (Article 6(1)(a) GDPR). You can withdraw it at any time in your profile, without affecting the other processing.

The personal numeric code (CNP)
We ask for your CNP only when you register for sessions of a project whose funder requires it for reporting. We process it with the safeguards of Article 4 of Romanian Law 190/2018: it is stored encrypted, shown only masked, never put on certificates, in web addresses or in logs, and used only for the reporting the funder requires. Otherwise we do not ask for your CNP.

Who receives your data
Each only as far as they need it: the ANES staff who organise the trainings, county coordinators, institutions' focal points (for the people they nominate) and trainers (for their own sessions). We pass data on to funders, managing authorities and audit or control bodies when the law or the funding contract requires it. The list of participants is not public.

How long we keep your data
We keep your data until the end of the audit period of the project you took part in (the record-keeping period set by the funding contract). After that date, the data that identify you are anonymised: only statistics remain (for example, the number of people trained), without your name, contact details or CNP.

Your rights
- the right of access: in your account, the "My data" page shows everything we hold about you and lets you download it;
- the right to rectification: you can correct your data in your profile or ask us to correct it;
- the right to erasure and to restriction of processing, within the legal obligations to keep records;
- the right to object to processing based on the public interest;
- the right to withdraw your consent to be contacted about future trainings;
- the right to lodge a complaint with the Romanian data protection authority, ANSPDCP (Autoritatea Națională de Supraveghere a Prelucrării Datelor cu Caracter Personal).

Contact
For any question or request about your data, contact ANES's data protection officer through the details on the site's Contact page.

Changes
When this notice changes, we publish a new version and ask you to read it on your next visit to your account. Earlier versions remain available on this page.
"""


def create_first_notice(apps, schema_editor):
    PrivacyNotice = apps.get_model("privacy", "PrivacyNotice")
    if PrivacyNotice.objects.filter(version=1).exists():
        return
    PrivacyNotice.objects.create(
        version=1,
        title_ro=TITLE_RO,
        title_en=TITLE_EN,
        body_ro=BODY_RO,
        body_en=BODY_EN,
        published_at=timezone.now(),
    )


def remove_first_notice(apps, schema_editor):
    PrivacyNotice = apps.get_model("privacy", "PrivacyNotice")
    PrivacyNotice.objects.filter(version=1, consents__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_first_notice, remove_first_notice),
    ]
