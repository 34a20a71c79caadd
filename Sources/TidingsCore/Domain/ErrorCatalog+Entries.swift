// The built-in Twilio error codes. Titles are Twilio's own short names from its Error and
// Warning Dictionary (https://www.twilio.com/docs/api/errors); meanings are summaries of
// those pages. A code is here only when a Twilio page (or Twilio's own error list) confirms
// both that it exists and what it is called.

extension ErrorCatalog {
    /// The entries of ``ErrorCatalog/twilio``, in code order.
    static let twilioEntries: [Entry] = [
        // MARK: 21xxx — rejected when the message was created

        Entry(
            code: 21211,
            title: "Invalid 'To' Phone Number",
            meaning: "The 'To' number is not a valid phone number or is badly formatted. Fix the stored number (E.164, e.g. +14155552671) before sending again.",
            retryable: false
        ),
        Entry(
            code: 21408,
            title: "Permission to send an SMS or MMS has not been enabled for the region indicated by the 'To' number",
            meaning: "The account's Messaging Geo Permissions do not allow the destination country. Enable that country in Console if sending there is intended.",
            retryable: false
        ),
        Entry(
            code: 21610,
            title: "Attempt to send to unsubscribed recipient",
            meaning: "The recipient opted out (replied STOP or similar) from this sender or Messaging Service. Do not send again unless they opt back in by texting START.",
            retryable: false
        ),
        // Retryable: the sender's queue was over its 10-hour limit; the same message is
        // accepted once the queue drains or the send rate drops.
        Entry(
            code: 21611,
            title: "This 'From' number has exceeded the maximum number of queued messages",
            meaning: "More than 10 hours of messages were already queued on this sender at its send rate. Slow down or spread traffic over more senders, then resend.",
            retryable: true
        ),
        Entry(
            code: 21612,
            title: "Message cannot be sent with the current combination of 'To' and/or 'From' parameters",
            meaning: "Twilio cannot connect this sender to this destination: sender-ID rules of the country or network, a short code the network rejects, bad number formatting, or no connectivity. Use a sender allowed for that destination.",
            retryable: false
        ),
        Entry(
            code: 21614,
            title: "'To' number is not a valid mobile number",
            meaning: "The 'To' number cannot receive SMS (it is not a valid mobile number). Ask the recipient for a mobile number.",
            retryable: false
        ),
        Entry(
            code: 21617,
            title: "The concatenated message body exceeds the 1600 character limit",
            meaning: "The body is longer than 1600 characters (emoji and non-GSM characters count for more). Shorten or split the message.",
            retryable: false
        ),
        Entry(
            code: 21635,
            title: "'To' number cannot be a landline",
            meaning: "The 'To' number is a landline in a country where Twilio does not attempt SMS to landlines. Ask for a mobile number; Lookup can screen numbers before sending.",
            retryable: false
        ),

        // MARK: 300xx — failed or undelivered after it was accepted

        // Retryable: the queue overflowed because of volume, not because of the message.
        Entry(
            code: 30001,
            title: "Queue overflow",
            meaning: "The message waited too long in the sender's queue (messages fail after 10 hours, or the validity period) because traffic exceeded the sender's rate. Resend at a lower rate or with more throughput.",
            retryable: true
        ),
        // Not retryable: nothing will send until the account is reactivated by a person.
        Entry(
            code: 30002,
            title: "Account suspended",
            meaning: "The Twilio account was suspended (billing or policy) after the message was queued. Resolve the suspension with Twilio before resending.",
            retryable: false
        ),
        // Retryable: the handset is off, out of coverage or roaming; Twilio suggests a
        // later resend. Persistent failures to the same number point to a dead line.
        Entry(
            code: 30003,
            title: "Unreachable destination handset",
            meaning: "The carrier could not reach the handset: switched off, no signal, roaming, or unable to take SMS. Retry later; if it keeps failing, confirm the number with the recipient.",
            retryable: true
        ),
        Entry(
            code: 30004,
            title: "Message blocked",
            meaning: "The destination is blocked from receiving this message: the recipient opted out, is on a blocklist or do-not-disturb register, or the carrier blocked it. Check the opt-out status before trying again.",
            retryable: false
        ),
        // Not retryable: the carrier does not know the number, so it has most likely been
        // disconnected; unlike 30003 the handset is not merely unavailable.
        Entry(
            code: 30005,
            title: "Unknown destination handset",
            meaning: "The carrier does not know the destination number; it may no longer exist. Confirm the number with the recipient.",
            retryable: false
        ),
        Entry(
            code: 30006,
            title: "Landline or unreachable carrier",
            meaning: "The destination cannot receive this message: a landline, or a carrier this sender (e.g. a short code) cannot reach. Do not resend the same SMS; ask for a mobile number.",
            retryable: false
        ),
        Entry(
            code: 30007,
            title: "Message filtered",
            meaning: "Twilio or the carrier filtered the message as spam or a policy violation. Review content, links, consent and sender registration; resending unchanged will be filtered again.",
            retryable: false
        ),
        // Retryable: the carrier gave no reason; a one-off downstream failure is common.
        Entry(
            code: 30008,
            title: "Unknown error",
            meaning: "The carrier reported a delivery failure without a reason. Retry; if it repeats for the same destination, send Twilio support the Message SIDs.",
            retryable: true
        ),
        // Not retryable by us: this is an inbound message; only its sender can resend it.
        Entry(
            code: 30009,
            title: "Missing inbound segment",
            meaning: "An inbound multi-part message arrived with segments missing (network, handset or coverage trouble). Ask the sender to send it again.",
            retryable: false
        ),
        Entry(
            code: 30010,
            title: "Message price exceeds max price",
            meaning: "The message would cost more than the MaxPrice given in the request (an obsolete parameter). Remove or raise MaxPrice.",
            retryable: false
        ),
        Entry(
            code: 30011,
            title: "MMS not supported by the receiving phone number in this region",
            meaning: "Outbound: the handset does not support MMS or has it disabled; inbound: Twilio does not take MMS in that region. Send text only.",
            retryable: false
        ),
        Entry(
            code: 30012,
            title: "TTL is too small",
            meaning: "The request's time-to-live was too small. Send with a larger TTL.",
            retryable: false
        ),
        // Retryable: Twilio already retried during carrier MMS congestion; later, or
        // spread out, the same message is accepted.
        Entry(
            code: 30017,
            title: "Carrier network congestion",
            meaning: "The carrier was congested with MMS traffic and refused the message even after Twilio's retries. Send again later and spread bursts over time.",
            retryable: true
        ),
        // The title as Twilio's Messaging error list gives it (confirmed with the issue that
        // asked for it); not retryable: the sender ID must be registered first.
        Entry(
            code: 30018,
            title: "Destination carrier requires sender ID pre-registration",
            meaning: "The destination carrier accepts messages only from sender IDs registered with it beforehand, and this one is not. Register the sender ID for that country (or send from one that is) before sending again.",
            retryable: false
        ),
        Entry(
            code: 30019,
            title: "Content size exceeds carrier limit",
            meaning: "The content is larger than the carrier accepts (too many characters or bytes; UCS-2 bodies have lower limits). Shorten the message or its media.",
            retryable: false
        ),
        // Retryable: a Twilio-side fault, not a property of the message.
        Entry(
            code: 30020,
            title: "Internal Failure with Message Scheduling",
            meaning: "An internal Twilio error in Message Scheduling prevented the message. Retry; if it persists, contact Twilio support with the time and Message SID.",
            retryable: true
        ),
        // Retryable: a Twilio-side fault, not a property of the message.
        Entry(
            code: 30021,
            title: "Internal Failure with messaging service orchestrator",
            meaning: "An internal Twilio error in the Messaging Service prevented the message. Retry; if it persists, contact Twilio support.",
            retryable: true
        ),
        // Retryable: a throughput limit; slower, the same message goes through.
        Entry(
            code: 30022,
            title: "US A2P 10DLC - Rate Limits Exceeded",
            meaning: "US carriers rejected the message because traffic exceeded the throughput of the 10DLC campaign (or too many messages went to one number). Slow down and resend.",
            retryable: true
        ),
        // Retryable: the cap resets at midnight Pacific time.
        Entry(
            code: 30023,
            title: "US A2P 10DLC - Daily Message Cap Reached",
            meaning: "The brand reached its daily 10DLC message cap (notably T-Mobile's, set by the brand's trust score). Resend after the cap resets at midnight Pacific; raise the trust score if it recurs.",
            retryable: true
        ),
        Entry(
            code: 30024,
            title: "Numeric Sender ID Not Provisioned on Carrier",
            meaning: "The destination requires a registered numeric sender and this one is not provisioned on the carrier yet (new 10DLC, short code or toll-free registration, or a recent port). Finish registration; if it should be live, send Twilio support the Message SIDs.",
            retryable: false
        ),
        // Retryable: a daily limit, lifted the next day.
        Entry(
            code: 30027,
            title: "US A2P 10DLC - T-Mobile Daily Message Limit Reached",
            meaning: "The brand reached its daily message limit towards T-Mobile. Resend after the daily reset, or raise the limit with a better brand trust score.",
            retryable: true
        ),
        Entry(
            code: 30032,
            title: "Toll-Free Number Has Not Been Verified",
            meaning: "A toll-free number sent to US or Canadian mobiles before its Toll-Free Verification was approved (pending, rejected or never submitted). Get the number verified.",
            retryable: false
        ),
        Entry(
            code: 30034,
            title: "US A2P 10DLC - Message from an Unregistered Number",
            meaning: "The 10DLC number is not registered to an approved A2P campaign, so US carriers block it. Register the brand and campaign and add the number to the campaign's Messaging Service.",
            retryable: false
        ),
        // Twilio's own A2P 10DLC posts name 30035 beside 30034 as the block of a number whose
        // registration with its campaign is not complete yet; it clears once it is, so a
        // later send can pass.
        Entry(
            code: 30035,
            title: "US A2P 10DLC - Message from a Number Still Being Configured",
            meaning: "The 10DLC number's registration with its approved A2P campaign is still being provisioned with the carriers, so US carriers block it meanwhile. Wait for the number to be registered, then resend.",
            retryable: true
        ),
        // Retryable: the message expired in Twilio's queue; once the queue is shorter (or the
        // validity period longer) the same message is sent.
        Entry(
            code: 30036,
            title: "Validity Period Expired",
            meaning: "The message waited in Twilio's queue longer than its ValidityPeriod and was not sent. Resend if still relevant; pace traffic or lengthen the validity period.",
            retryable: true
        ),
        Entry(
            code: 30037,
            title: "Outbound Messaging Disabled",
            meaning: "Twilio reports outbound messaging as disabled for this sender or account, so nothing was sent. Check the docs page and Twilio's notices before resending.",
            retryable: false
        ),
        Entry(
            code: 30038,
            title: "OTP Message Body Filtered",
            meaning: "The message was filtered because its body was treated as a one-time passcode (OTP) message. Check the docs page for the rules that apply to OTP content on this route.",
            retryable: false
        ),
        Entry(
            code: 30040,
            title: "Destination carrier requires Sender ID pre-registration",
            meaning: "The destination carrier only accepts pre-registered sender IDs, and this one is not registered. Register the sender ID for that country or use a registered sender.",
            retryable: false
        ),
        Entry(
            code: 30041,
            title: "Message from an unregistered number sent to a United Kingdom number",
            meaning: "UK carriers block messages from unregistered (e.g. international long code) senders. Send to UK numbers from a registered sender such as an alphanumeric sender ID or a UK number.",
            retryable: false
        ),
        Entry(
            code: 30042,
            title: "The Sender ID is blocked as generic or it contains special characters",
            meaning: "The alphanumeric sender ID was blocked as generic, non-compliant or linked to fraud. Use a sender ID that follows the country's SMS guidelines.",
            retryable: false
        ),
        // Retryable: Twilio fails the message instead of retrying, to avoid duplicates.
        Entry(
            code: 30410,
            title: "Provider Timeout Error",
            meaning: "The downstream provider timed out or was disrupted; Twilio failed the message rather than risk a duplicate. Send again later.",
            retryable: true
        ),
        // Retryable: the block lasts 15 to 30 minutes unless suspicious traffic continues.
        Entry(
            code: 30450,
            title: "Message delivery blocked",
            meaning: "SMS Pumping Protection temporarily blocked this destination as suspected fraud (typically 15 to 30 minutes). Retry after the block; for legitimate traffic, use RiskCheck=disable or the Global Safe List.",
            retryable: true
        ),
        // Retryable: Twilio's own advice is to send again.
        Entry(
            code: 30500,
            title: "Twilio Internal Error",
            meaning: "Twilio's platform hit an internal error on this message (check Twilio's status page for an incident). Send again; if that fails too, contact support with the Message SIDs.",
            retryable: true
        ),

        // MARK: 630xx — channels (WhatsApp, Messenger)

        Entry(
            code: 63001,
            title: "Channel could not authenticate the request",
            meaning: "The channel (e.g. WhatsApp) rejected Twilio's credentials for this sender. Check the sender's channel setup in Console and the channel-specific error message.",
            retryable: false
        ),
        Entry(
            code: 63003,
            title: "Channel could not find To address",
            meaning: "The 'To' address is invalid or no longer active on the channel (e.g. not a WhatsApp user). Confirm the recipient's address.",
            retryable: false
        ),
        Entry(
            code: 63005,
            title: "Channel did not accept given content",
            meaning: "The channel rejected the content: the recipient is not a valid WhatsApp user, the media was faulty, template-only fields were sent in a session, or the business may not message that country. Fix the content or recipient.",
            retryable: false
        ),
        Entry(
            code: 63006,
            title: "Could not format given content for the channel",
            meaning: "The content is in a format the channel cannot take. Check the channel-specific error message and fix the content.",
            retryable: false
        ),
        Entry(
            code: 63007,
            title: "Twilio could not find a Channel with the specified 'From' address",
            meaning: "The 'From' address (e.g. whatsapp:+1...) is not a channel sender configured on this account. Use a registered sender or finish its setup.",
            retryable: false
        ),
        Entry(
            code: 63008,
            title: "Request failed: channel module misconfigured. Check Channel config in Twilio",
            meaning: "The channel's configuration in Twilio is incomplete or wrong, or 'From'/'To' do not use the channel's address format. Fix the channel configuration.",
            retryable: false
        ),
        // Retryable: an HTTP 5xx from the channel provider is a provider-side fault.
        Entry(
            code: 63009,
            title: "Channel provider returned an internal service error (HTTP 5xx)",
            meaning: "The channel provider (e.g. Meta for WhatsApp) failed with a server error. Retry later.",
            retryable: true
        ),
        Entry(
            code: 63013,
            title: "Channel policy violation",
            meaning: "The message breaks the channel provider's policy (e.g. empty or whitespace template variables, unsupported media or emoji). Fix the content to comply.",
            retryable: false
        ),
        Entry(
            code: 63014,
            title: "Channel message blocked by user action",
            meaning: "The recipient blocked the sender or withdrew consent on the channel. Stop sending until they re-engage.",
            retryable: false
        ),
        // Not retryable as-is: a free-form message stays outside the window until the user
        // writes in again; a template must be sent instead.
        Entry(
            code: 63016,
            title: "Outside messaging window. For WhatsApp, use a Message Template instead",
            meaning: "A free-form message was sent outside the 24-hour customer service window. Send an approved template with ContentSid (not Body), or wait for the user to message first.",
            retryable: false
        ),
        // Retryable: a throughput limit.
        Entry(
            code: 63017,
            title: "Rate limit exceeded",
            meaning: "The account and its subaccounts sent faster than the combined limit (2000 messages per second). Slow down and resend.",
            retryable: true
        ),
        // Retryable: the limit lifts as the account's or sender's window passes.
        Entry(
            code: 63018,
            title: "Rate limit exceeded for Channel",
            meaning: "The account's or WhatsApp sender's messaging limit was exceeded. Slow down, and wait for the 24-hour window before new business-initiated conversations.",
            retryable: true
        ),
        // Retryable: most often the media host was briefly unreachable.
        Entry(
            code: 63019,
            title: "Media failed to download",
            meaning: "The media for the message could not be downloaded. Check that the media URL is public and reachable, then resend.",
            retryable: true
        ),
        Entry(
            code: 63020,
            title: "Twilio encountered a Business Manager account error",
            meaning: "Meta reported a problem with the WhatsApp Business Manager account behind this sender, such as its payment setup. Fix it in Meta Business Manager before resending.",
            retryable: false
        ),
        Entry(
            code: 63021,
            title: "Channel invalid content error",
            meaning: "The channel rejects or does not support the content: unsupported media type or components, or a WhatsApp template over 1024 characters after substitution. Fix the content.",
            retryable: false
        ),
        Entry(
            code: 63022,
            title: "Invalid vname certificate",
            meaning: "WhatsApp rejected the sender's display-name (vname) certificate. Fix the WhatsApp sender's registration.",
            retryable: false
        ),
        // Retryable: an unspecified channel failure, like 30008 for carriers.
        Entry(
            code: 63023,
            title: "Channel generic error",
            meaning: "The channel failed the message without a specific reason. Retry; if it persists, contact Twilio support.",
            retryable: true
        ),
        Entry(
            code: 63024,
            title: "Invalid message recipient",
            meaning: "Meta treats the recipient as an invalid WhatsApp user: not on WhatsApp, has not accepted WhatsApp's terms, or an outdated app. The recipient must fix this before a resend can work.",
            retryable: false
        ),
        Entry(
            code: 63028,
            title: "Number of parameters provided does not match the expected number of parameters",
            meaning: "ContentVariables do not match the template's placeholders. Supply exactly the variables the template expects.",
            retryable: false
        ),
        Entry(
            code: 63031,
            title: "Channels message cannot have same 'From' and 'To'",
            meaning: "The message was addressed to its own sender. Fix the recipient.",
            retryable: false
        ),
        Entry(
            code: 63034,
            title: "Media exceeds size limit",
            meaning: "The attached media is larger than the channel accepts (5 MB). Send smaller media.",
            retryable: false
        ),
        // Retryable: a rolling 24-hour limit.
        Entry(
            code: 63038,
            title: "Account exceeded the daily messages limit",
            meaning: "The account sent more messages than allowed in a rolling 24 hours. Resend after the window resets, or ask Twilio support to raise the limit.",
            retryable: true
        ),
        Entry(
            code: 63039,
            title: "Facebook warning: reduce message rate outside 24-hour window to avoid restrictions",
            meaning: "Facebook warns that the Page messages Messenger users outside the 24-hour window often enough to be seen as abusive. Stop those messages and reply only within the window.",
            retryable: false
        ),
        // Not retryable: in the US marketing templates are never delivered; elsewhere Meta
        // limits a recipient for a while and Twilio advises only delayed retries, which an
        // automatic retry should not assume.
        Entry(
            code: 63049,
            title: "Meta chose not to deliver this WhatsApp marketing message",
            meaning: "Meta blocked a Marketing-category template: US recipients cannot receive them, and elsewhere recipients may be temporarily limited. Use another channel, or a Utility/Authentication template if that is what the message is.",
            retryable: false
        ),
    ]
}
