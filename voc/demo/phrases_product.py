"""Hand-written phrasing for the product-defect themes; {slots} are filled per item."""

from __future__ import annotations

Phrases = dict[str, tuple[str, ...]]

CSV_EXPORT: Phrases = {
    "negative": (
        "The CSV export of the {feature} has been broken for a week, it just spins and then "
        "gives me an empty file.",
        "Exporting to Excel mangles every accented name: Müller becomes MÃ¼ller and our "
        "accountant has to fix it by hand.",
        "Export to CSV times out as soon as a project has more than {rows} rows.",
        "Every time I export the timesheets the dates come out as US format even though our "
        "workspace is set to dd/mm/yyyy.",
        "We rely on the monthly export for payroll and it silently drops rows. Last month "
        "{n} entries were missing and nobody noticed until {weekday}.",
        "The xlsx file from the {feature} opens with a 'file is corrupt' warning in Excel.",
        "Why does the export put all the custom fields into one column separated by semicolons?",
        "Export button greyed out for me, my colleague can click it. No idea why.",
        "I clicked export {n} times today and got three different row counts.",
        "Our finance team can't close the month because the invoice export keeps failing "
        "with error 502.",
        "Exports used to be instant; now I get an email with a link {minutes} minutes later "
        "and the link is already expired.",
        "The exported CSV has no header row anymore, which broke our Power BI import.",
    ),
    "mixed": (
        "Reporting inside {product} is nice, but the minute we export to Excel everything "
        "falls apart.",
        "The new export dialog looks much better, sadly the file it produces is still "
        "missing half of the columns.",
    ),
    "neutral": (
        "Could the CSV export include the task IDs? We need them to match records in our ERP.",
        "Is there a way to choose the delimiter for CSV exports? Our German Excel wants ';'.",
        "Can exports be scheduled to land in a shared folder every night?",
    ),
    "short": (
        "export broken again",
        "CSV export still not working!!",
        "Fix the Excel export please.",
        "exports time out",
        "Export = useless for big projects.",
        "excel export drops rows",
    ),
    "detail": (
        "Tried on {browser} and in the desktop app with the same result.",
        "The project has about {rows} rows, nothing unusual.",
        "This started after the {app_version} release.",
        "I attached the broken file as {file}.",
        "Workaround for now is copy-pasting from the table view, which is silly.",
        "Our accountant uses Excel {excel_version} on {os}.",
    ),
}

DASHBOARD_PERFORMANCE: Phrases = {
    "negative": (
        "The dashboard takes {seconds} seconds to load every morning. That's not acceptable "
        "for a tool we pay for.",
        "Opening a big project is painfully slow, the board freezes while I drag cards.",
        "Everything in {product} got slower in the last weeks, especially the {feature}.",
        "The home dashboard shows a spinner forever on {browser}, I have to refresh {n} times.",
        "Switching between projects lags so much that my team went back to spreadsheets.",
        "Loading the {feature} with more than {n} tasks is basically impossible.",
        "Performance is the main issue. Pages hang, filters take ages, and sometimes the "
        "whole tab crashes.",
        "When our {region_office} office logs in at 9am the app crawls. Are you under-provisioned?",
        "Scrolling through the timeline stutters like it's 2005.",
        "We measured it: {seconds}s to first paint on the portfolio dashboard.",
    ),
    "mixed": (
        "Features are great, the speed is not. The dashboard needs a serious performance pass.",
        "Love the new widgets on the dashboard but they made it twice as slow to load.",
    ),
    "neutral": (
        "Is there a lighter view of the dashboard for large workspaces? Ours has {n} projects.",
        "Any plans to make the dashboard load faster for workspaces with lots of archived work?",
        "Could the dashboard remember my last view instead of recalculating everything?",
    ),
    "short": (
        "too slow",
        "dashboard is sloooow",
        "Speed. Please.",
        "The app is laggy.",
        "loading times are terrible",
    ),
    "detail": (
        "Our connection is fine, every other tool is fast.",
        "It is worse on Mondays when everyone logs time.",
        "Happens on {browser} on {os}.",
        "The network tab shows one request taking {seconds} seconds.",
        "We have roughly {n} active users on the workspace.",
    ),
}

SSO_LOGIN: Phrases = {
    "negative": (
        "SSO with {idp} sends us into a redirect loop since {weekday}. Nobody can log in.",
        "I get logged out every {minutes} minutes even with 'remember me' checked.",
        "The 2FA code email arrives {minutes} minutes late, by then it has expired.",
        "After you moved to the new login page our {idp} integration stopped working.",
        "New hires can't log in via SSO until an admin invites them manually, which defeats "
        "the purpose of SSO.",
        "Password reset link says 'token invalid' every single time.",
        "Our SAML certificate rotated and there is no way to upload the new one without "
        "opening a ticket.",
        "Half of my team got locked out this morning, the error just says 'something went wrong'.",
        "Logging in on a second device kicks me out of the first one.",
        "SCIM provisioning from {idp} creates duplicate users for everyone with an accent "
        "in their name.",
    ),
    "mixed": (
        "Once you're in, {product} is great. Getting in through SSO is a daily fight though.",
        "We like the product a lot, but the constant logouts drive everyone mad.",
        "Good tool, terrible login experience on {idp}.",
    ),
    "neutral": (
        "Do you support SSO with {idp} on the Growth plan or only on Enterprise?",
        "Can admins set the session length? A week would suit us better than a day.",
        "Is there documentation on rotating the SAML certificate ourselves?",
    ),
    "short": (
        "cant log in",
        "SSO loop again.",
        "locked out AGAIN",
        "login broken with {idp}",
        "2FA codes never arrive",
    ),
    "detail": (
        "Error reference: {error_code}.",
        "We use {idp} with SAML, nothing custom.",
        "Cleared cookies, tried incognito, same thing.",
        "This affects about {n} people in our team.",
        "It worked fine until {date}.",
    ),
}

MOBILE_CRASHES: Phrases = {
    "negative": (
        "The iOS app crashes the moment I open a project with attachments.",
        "Android app closes itself whenever I try to log time. {android_device}, latest version.",
        "App crashes on startup since the {app_version} update. Reinstalling didn't help.",
        "Uploading a photo of a receipt from the mobile app crashes it every single time.",
        "The mobile app is unusable: it freezes, then crashes, then loses what I typed.",
        "I do most of my work on site with my phone and the app has crashed {n} times today.",
        "Switching workspaces in the app makes it crash and log me out.",
        "Tapping a push notification opens the app and it immediately dies.",
        "Our field technicians stopped using the app because it kept crashing on {device}.",
        "Offline mode corrupts my entries and then the app crashes when it syncs.",
    ),
    "mixed": (
        "Desktop version is excellent, but the phone app crashes way too often to rely on.",
        "Love the new mobile timer widget, too bad the app crashes when I stop it.",
    ),
    "short": (
        "mobile app keeps crashing",
        "App crashes. Every. Time.",
        "android app crash on launch",
        "iOS app unusable",
        "crash crash crash",
    ),
    "detail": (
        "Device: {device}, {mobile_os}.",
        "App version {app_version}.",
        "I sent the crash report from the app {n} times already.",
        "Happens on wifi and on 4G.",
        "My colleague on {device} has the same problem.",
    ),
}

SEARCH: Phrases = {
    "negative": (
        "Search never finds the invoice even when I type the exact number.",
        "I typed the exact task name and search returned nothing. Had to scroll manually.",
        "Search doesn't look inside comments or attachments, so it's mostly useless for us.",
        "Why does searching 'Müller' not find 'Mueller' or the other way round?",
        "Global search only shows the first {n} results and there is no way to filter them.",
        "Search results include archived projects from years ago but not the one I opened "
        "yesterday.",
        "You can't search by client name in the {feature}, which is the one thing I need.",
        "The search box forgets what I typed when I switch tabs.",
        "Search is slow and case-sensitive, which nobody expects in {year}.",
    ),
    "mixed": (
        "Organising work in {product} is lovely, finding it again with search is not.",
        "The app is really nice to use until you need to search for something.",
        "Great for planning, but search is the weak spot by far.",
    ),
    "neutral": (
        "Would be useful to search by custom field values, e.g. our PO numbers.",
        "Could search also cover attachments? PDFs especially.",
        "A search filter for 'only my projects' would be handy.",
    ),
    "short": (
        "search is useless",
        "Search doesn't find anything.",
        "fix search pls",
        "can't find stuff",
    ),
    "detail": (
        "Example: searching '{search_term}' returns zero results.",
        "We have about {n} projects in the workspace.",
        "Same on {browser} and in the mobile app.",
        "Filters by assignee or date would already help a lot.",
    ),
}

NOTIFICATION_NOISE: Phrases = {
    "negative": (
        "I get an email for every single comment. {n} emails a day from {product} is too much.",
        "Notification settings don't stick, I turn them off and they come back after a week.",
        "Please add a daily digest, the notification spam is drowning my inbox.",
        "Why am I notified about projects I'm not even a member of?",
        "My team muted all {product} emails, so now they miss the important ones.",
        "The mobile push notifications buzz at 3am for changes in another time zone.",
        "Getting a notification when I assign a task to myself is pointless.",
        "Slack and email both notify me about the same thing, twice each.",
    ),
    "mixed": (
        "Product is good, notifications are a firehose though.",
        "We're happy with {product}, just not with how many emails it sends.",
        "Useful tool, noisy inbox.",
    ),
    "neutral": (
        "Can we choose which events trigger emails per project?",
        "Is there a way to get a weekly summary instead of instant notifications?",
    ),
    "short": (
        "too many emails",
        "stop the notification spam",
        "Way too many notifications.",
        "email noise",
    ),
    "detail": (
        "I counted {n} emails yesterday.",
        "I'm on {n} projects, so it adds up fast.",
        "Quiet hours would solve half of this.",
        "Some colleagues created Outlook rules to delete them all.",
    ),
}

PERMISSIONS_ROLES: Phrases = {
    "negative": (
        "Guests can see the budget column. That is a serious problem for us with clients.",
        "There is no read-only role, so I have to make stakeholders full members.",
        "Permissions are all or nothing: either someone is admin or they can't edit anything.",
        "We need per-project permissions. Right now contractors see every project.",
        "A freelancer deleted a whole board because the member role can delete projects.",
        "I can't restrict who sees the invoices tab without hiding the whole {feature}.",
        "Changing a user's role takes effect only after they log out, which caused a leak.",
        "Our auditors asked who can see rates and honestly I can't tell them from the UI.",
    ),
    "mixed": (
        "Collaboration features are top notch; the permission model is way too coarse.",
        "Works great for our own team, less so once clients and freelancers join.",
        "Really like the product, but we need finer-grained access control.",
    ),
    "neutral": (
        "Is a custom role with read-only access to budgets on the roadmap?",
        "Can we hide the rates column from specific roles?",
        "Could guests be limited to the projects they are invited to?",
    ),
    "short": (
        "need read-only role",
        "permissions too coarse",
        "Guests see too much!",
    ),
    "detail": (
        "We have {n} external contractors on the workspace.",
        "This blocks our {cert} audit.",
        "A 'viewer' role like {competitor} has would be enough.",
        "Right now I work around it with separate workspaces, which is painful.",
    ),
}

DATA_IMPORT: Phrases = {
    "negative": (
        "Importing our projects from {competitor} failed halfway and left duplicate tasks "
        "everywhere.",
        "The CSV import rejects my file with 'invalid row {n}' but row {n} looks fine.",
        "Imported tasks lost their assignees and due dates.",
        "The importer choked on a file with {rows} rows and gave no error message at all.",
        "I imported clients from a spreadsheet and every name with an accent was garbled.",
        "Import from Trello created {n} empty projects and I had to delete them one by one.",
        "Migration from {competitor} took us two weeks because the importer kept timing out.",
        "Time entries import ignores the hours column when it uses a comma as decimal separator.",
        "Re-running an import duplicates everything instead of updating existing records.",
    ),
    "mixed": (
        "Switching to {product} was the right call, but the data import was a nightmare.",
        "Happy we moved over; the migration tooling needs a lot of love though.",
        "Great product once your data is in. Getting it in is the hard part.",
    ),
    "neutral": (
        "Is there a template for importing recurring invoices? I could not find one.",
        "Can the importer map our custom fields, or only the standard ones?",
        "Does the Trello import keep checklists and labels?",
    ),
    "short": (
        "import failed",
        "CSV import broken",
        "importer duplicates everything",
        "Import keeps timing out.",
    ),
    "detail": (
        "The file is UTF-8, exported straight from {competitor}.",
        "Attached {file} if that helps.",
        "About {rows} rows in total.",
        "We still have {n} projects left to migrate.",
    ),
}

PRODUCT_PHRASES: dict[str, Phrases] = {
    "csv_export": CSV_EXPORT,
    "dashboard_performance": DASHBOARD_PERFORMANCE,
    "sso_login": SSO_LOGIN,
    "mobile_crashes": MOBILE_CRASHES,
    "search": SEARCH,
    "notification_noise": NOTIFICATION_NOISE,
    "permissions_roles": PERMISSIONS_ROLES,
    "data_import": DATA_IMPORT,
}
