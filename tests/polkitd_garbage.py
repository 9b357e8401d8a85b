'''polkitd mock that answers CheckAuthorization with nonsense

A reply of the wrong type: the daemon must deny (fail closed), not crash or
misread it as a yes.
'''
BUS_NAME = 'org.freedesktop.PolicyKit1'
MAIN_OBJ = '/org/freedesktop/PolicyKit1/Authority'
MAIN_IFACE = 'org.freedesktop.PolicyKit1.Authority'
SYSTEM_BUS = True


def load(mock, _parameters):
    mock.AddMethod(MAIN_IFACE, 'CheckAuthorization', '(sa{sv})sa{ss}us', 's', 'ret = "yes, sure"')
