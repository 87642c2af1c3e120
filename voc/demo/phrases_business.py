"""Hand-written phrasing for billing, pricing, support and request themes."""

from __future__ import annotations

Phrases = dict[str, tuple[str, ...]]

BILLING_REDESIGN: Phrases = {
    "negative": (
        "The new billing page is a mess. I can't find last month's invoice anywhere.",
        "Since the billing redesign our VAT number no longer shows on the invoices, so "
        "finance can't book them.",
        "We were charged for {seats} seats but the new billing page says we have {n}. "
        "Which one is right?",
        "Where did the 'download all invoices' button go? The new billing screen only shows "
        "the current period.",
        "The billing page now asks for card details again even though we pay by bank transfer.",
        "Invoices from the new billing page have the wrong company address and no PO number.",
        "I was billed twice in {month} after the billing page changed. Still waiting for a refund.",
        "The redesigned billing settings hide the seat count behind three clicks.",
        "Our invoice currency switched from {currency} to USD without anyone asking.",
        "Nobody on our team understands the new plan and usage breakdown on the billing page.",
    ),
    "mixed": (
        "Love the app, hate the new billing page.",
        "{product} itself is great; the new billing page is confusing and our finance team is "
        "angry.",
        "The product keeps getting better, the billing experience keeps getting worse.",
    ),
    "neutral": (
        "Where can I download invoices now that the billing page changed?",
        "How do I add our PO number to invoices on the new billing page?",
        "Can the invoice emails go to our accounts payable address instead of mine?",
    ),
    "short": (
        "new billing page is confusing",
        "Where are my invoices??",
        "billing page redesign = worse",
        "double charged",
    ),
    "detail": (
        "Invoice number {invoice_no}, if you need it.",
        "Our finance contact has emailed about this {n} times.",
        "The old page was fine, please bring it back.",
        "This is holding up our month-end close.",
        "Our auditor needs the invoices with the old layout.",
        "I went through every tab on the billing page twice.",
        "Screenshots of the old and the new page attached.",
    ),
}

MISSING_INTEGRATIONS: Phrases = {
    "negative": (
        "No native {integration} integration in {year} is hard to explain to my team.",
        "We had to build our own {integration} sync with Zapier and it breaks every other week.",
        "The {integration} integration only syncs one way, which is half an integration.",
        "We're considering {competitor} only because they integrate with {integration}.",
        "Your {integration} connector was deprecated and the replacement doesn't exist yet.",
    ),
    "neutral": (
        "Would love a proper {integration} integration so tasks show up where we work.",
        "Please add a two-way sync with {integration}.",
        "A {integration} integration would save us hours every week.",
        "Any plans for connecting {product} with {integration}? Our sales team lives there.",
        "It would be great to create {product} tasks straight from {integration}.",
        "Our developers asked if there's an official {integration} app yet.",
    ),
    "mixed": (
        "Really happy with {product} overall, the only gap is a {integration} integration.",
        "Great tool, but without {integration} it lives on an island.",
    ),
    "short": (
        "{integration} integration please",
        "need {integration}",
        "Integrate with {integration}!",
    ),
    "detail": (
        "Something like what {competitor} has would be enough.",
        "Even a webhook per status change would do for now.",
        "We'd also use the API if it had rate limits above {n} requests per minute.",
        "Ideally both {integration} and {integration2}.",
    ),
}

SUPPORT_PRAISE: Phrases = {
    "positive": (
        "{agent} from your support team solved my issue in {minutes} minutes. Amazing service.",
        "Customer support is the best I've dealt with in years. Fast, friendly, competent.",
        "Whenever we have a problem, support answers within the hour. That's why we stay.",
        "Shout-out to {agent}, who walked me through the setup on a call and even followed up.",
        "Your support team actually reads the ticket before replying. Rare these days!",
        "Chat support fixed our permissions mess on a {weekday} evening. Thank you!",
        "The support folks are patient and really know the product.",
        "Every interaction with support has been excellent, {agent} in particular.",
        "Best customer service of any SaaS vendor we use, and we use {n} of them.",
        "Got a real answer from a real human within {minutes} minutes. Keep it that way.",
    ),
    "mixed": (
        "The bug took {days} days to fix, but {agent} kept me updated the whole time.",
        "Support is brilliant, it's just a pity we need them so often.",
        "Product has rough edges; your support team makes up for most of them.",
    ),
    "short": (
        "great support!",
        "Support team rocks",
        "{agent} was super helpful",
        "fantastic customer service",
        "support = 10/10",
    ),
    "detail": (
        "Please pass this on to {agent}'s manager.",
        "That alone is worth the subscription.",
        "We've recommended you to {n} other agencies because of it.",
        "Ticket {ticket_ref} for reference.",
    ),
}

PRICING: Phrases = {
    "negative": (
        "Too expensive for a team our size. We pay for {seats} seats and use half of them.",
        "The last price increase of {pct}% was hard to justify to our CFO.",
        "Per-seat pricing punishes us for inviting occasional collaborators.",
        "{competitor} is about half the price for what we actually use.",
        "We'll probably downgrade at renewal, the Growth plan is too pricey for a small agency.",
        "Charging extra for SSO and time tracking feels like nickel-and-diming.",
        "Price went from {price} to {price2} per seat with no new features we care about.",
        "Hard to recommend {product} to other startups at this price point.",
    ),
    "mixed": (
        "Good product, but the price is getting hard to defend.",
        "We love using it; our finance team does not love the invoice.",
    ),
    "neutral": (
        "Do you offer discounts for non-profits or annual billing?",
        "Is there a cheaper seat type for people who only log time?",
        "What would the price be if we moved to annual billing for {seats} seats?",
    ),
    "short": (
        "too expensive",
        "Price is too high.",
        "pricey",
        "$$$",
    ),
    "detail": (
        "Our renewal is in {month}.",
        "A cheaper viewer seat would fix most of this.",
        "We're a team of {n}, mostly part-time.",
        "Budget for tools was cut by {pct}% this year.",
    ),
}

ONBOARDING_DOCS: Phrases = {
    "positive": (
        "Onboarding was smooth, the kickoff call with {agent} set us up for success.",
        "The getting-started checklist made it easy to bring the whole team on board.",
        "Your video tutorials are excellent, my colleagues learned the basics in an afternoon.",
        "Setting up our first project took {minutes} minutes thanks to the templates.",
    ),
    "negative": (
        "The help center articles show screenshots of the old UI, so they're useless.",
        "There's no documentation for the API webhooks beyond a single example.",
        "Onboarding our {n} new users was hard, there's no admin guide at all.",
        "I searched the docs for recurring invoices and found nothing up to date.",
    ),
    "mixed": (
        "Onboarding was great, but the docs are outdated and I keep asking support instead.",
        "Templates helped a lot at the start, the advanced features are poorly documented.",
        "Easy to start, hard to master, and the help center doesn't help with the second part.",
    ),
    "neutral": (
        "A short video on setting up budgets would help new project managers.",
        "Is there an onboarding guide for admins, separate from the user one?",
    ),
    "detail": (
        "We onboarded {n} people in {month}.",
        "The article I mean is {url}.",
        "A searchable changelog would also help.",
    ),
}

REPORTING_REQUESTS: Phrases = {
    "neutral": (
        "We'd like to build custom reports, e.g. hours by client by month.",
        "Please let us save filters on the reports page and share them with the team.",
        "Scheduled reports by email every Monday would be a huge help for our managers.",
        "Could we add our own widgets to the dashboard, like budget burn per project?",
        "Reporting on custom fields is the one thing we're missing.",
        "A utilisation report per person would let us drop our spreadsheet.",
        "It would help to compare planned vs actual hours across all projects in one view.",
    ),
    "negative": (
        "The reports are too basic, we export everything to Excel to get real numbers.",
        "You can't group the profitability report by client, which makes it pointless for us.",
        "Report filters reset every time you open the page.",
    ),
    "mixed": (
        "Planning in {product} is fantastic, reporting is still very limited.",
        "Everything we need day to day is there, management reporting is not.",
        "Love the tool; the reports feel like an afterthought.",
    ),
    "short": (
        "custom reports please",
        "better reporting",
        "need scheduled reports",
    ),
    "detail": (
        "Our managers look at this every {weekday}.",
        "Right now it takes {hours} hours a month to build it by hand.",
        "{competitor} can do this out of the box.",
    ),
}

UI_POLISH: Phrases = {
    "positive": (
        "Clean, intuitive interface. My team picked it up without training.",
        "The new design is lovely, everything feels calmer and easier to find.",
        "Really like how fast the keyboard shortcuts make planning the week.",
        "Beautiful app, it's the only work tool people here actually enjoy opening.",
        "The redesigned task view is so much better, thanks for listening.",
    ),
    "neutral": (
        "Dark mode please! My eyes will thank you.",
        "A compact list view would let me see more tasks on my laptop screen.",
        "Could you add more keyboard shortcuts, e.g. for moving tasks between columns?",
        "Any chance of a dark theme for those of us working late?",
    ),
    "mixed": (
        "Love the design overall, but the contrast on grey labels is too low to read.",
        "The app looks great, still missing dark mode in {year} though.",
        "Pretty UI, too many clicks to do simple things like changing a due date.",
    ),
    "negative": (
        "Buttons moved around again after the update and nobody can find anything.",
        "Icons without labels everywhere; half my team doesn't know what they do.",
    ),
    "short": (
        "dark mode!!",
        "love the UI",
        "nice clean design",
        "need dark mode",
    ),
    "detail": (
        "Especially on a {device_screen} screen.",
        "Most of us work on {os}.",
        "Little things like this matter when you use it {hours} hours a day.",
    ),
}

BUSINESS_PHRASES: dict[str, Phrases] = {
    "billing_redesign": BILLING_REDESIGN,
    "missing_integrations": MISSING_INTEGRATIONS,
    "support_praise": SUPPORT_PRAISE,
    "pricing": PRICING,
    "onboarding_docs": ONBOARDING_DOCS,
    "reporting_requests": REPORTING_REQUESTS,
    "ui_polish": UI_POLISH,
}
