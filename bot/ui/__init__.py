"""Discord presentation: embeds, buttons, modals and charts. No business rules here.

custom_id scheme (every id starts with "sb:" so the bot can tell its own components apart):

    sb:quiz:<round>:<answer|hint|skip|stop>:<position>   /quiz round buttons
    sb:answer:quiz:<round>:<position>:<opened_ms>         the answer modal of a /quiz card
    sb:claim:<attempt>                                    "I was right" on a close or wrong answer
    sb:review:<claim>:<approve|reject>                    /claims review decisions
    sb:drill:<drill>:<card number>                        Answer buttons on a scheduled drill
    sb:answer:drill:<drill>:<card number>:<opened_ms>     the answer modal of a drill card
    sb:session:<session>:<position>                       Answer on a live session question
    sb:answer:session:<session>:<position>:<opened_ms>    the answer modal of a session question
"""
