"""The Block Kit limits that the block builders (handlers/slack/blocks.py) keep to: content over one
is paginated, never cut, since Slack rejects a payload over a limit (``invalid_blocks``) and the
leader gets nothing.

Numbers from Slack's reference (docs.slack.dev/reference/block-kit: blocks, block elements;
reference/views: modal and Home views). The tests check every payload a mock Slack receives against
these and the rest of the documented limits (loopback/block_kit.py).
"""

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
SECTION_TEXT = 3000
ACTIONS_ELEMENTS = 25
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
MODAL_TITLE = 24
