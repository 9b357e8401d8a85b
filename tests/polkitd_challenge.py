'''polkitd mock that answers every check with a challenge

The stock dbusmock polkitd template only says yes or no. Real polkit, for an
action with auth_admin defaults, answers "not authorized, but a challenge
would do": this template does just that, so a test can check how the daemon
maps it (InteractiveAuthorizationRequired without the interactive flag).
'''
BUS_NAME = 'org.freedesktop.PolicyKit1'
MAIN_OBJ = '/org/freedesktop/PolicyKit1/Authority'
MAIN_IFACE = 'org.freedesktop.PolicyKit1.Authority'
SYSTEM_BUS = True


def load(mock, _parameters):
    mock.AddMethod(MAIN_IFACE, 'CheckAuthorization', '(sa{sv})sa{ss}us', '(bba{ss})',
                   'ret = (False, True, {"polkit.retains_authorization_after_challenge": "1"})')
