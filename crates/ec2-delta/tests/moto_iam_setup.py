"""Set up moto (started with INITIAL_NO_AUTH_ACTION_COUNT=6, so IAM is enforced after six
requests) for ec2-delta's partial-failure test: a user `inventory` who may assume
arn:aws:iam::111111111111:role/reader but no role in any other account; the role exists in
111111111111 with EC2 permissions. One instance in each readable account. Prints the user's key id
and secret, one per line."""
import json
import sys

import boto3

url = sys.argv[1]
base = dict(endpoint_url=url, region_name="us-east-1",
            aws_access_key_id="testing", aws_secret_access_key="testing")
iam = boto3.client("iam", **base)
iam.create_user(UserName="inventory")                                              # 1
iam.put_user_policy(UserName="inventory", PolicyName="inventory", PolicyDocument=json.dumps({  # 2
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["sts:GetCallerIdentity", "ec2:*"], "Resource": "*"},
        {"Effect": "Allow", "Action": "sts:AssumeRole",
         "Resource": "arn:aws:iam::111111111111:role/reader"},
    ]}))
key = iam.create_access_key(UserName="inventory")["AccessKey"]                      # 3
creds = boto3.client("sts", **base).assume_role(                                   # 4
    RoleArn="arn:aws:iam::111111111111:role/reader", RoleSessionName="setup")["Credentials"]
other = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id=creds["AccessKeyId"],
             aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])
iam2 = boto3.client("iam", **other)
iam2.create_role(RoleName="reader", AssumeRolePolicyDocument=json.dumps({                # 5
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}))
iam2.put_role_policy(RoleName="reader", PolicyName="ec2", PolicyDocument=json.dumps({   # 6
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]}))

# From here on IAM is enforced: act as the user (and as the role it may assume).
user = dict(endpoint_url=url, region_name="us-east-1",
            aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
c = boto3.client("sts", **user).assume_role(
    RoleArn="arn:aws:iam::111111111111:role/reader", RoleSessionName="seed")["Credentials"]
role = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id=c["AccessKeyId"],
            aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"])
for kw in (user, role):
    ec2 = boto3.client("ec2", **kw)
    images = ec2.describe_images()["Images"]  # none when moto runs without its default AMIs
    ami = images[0]["ImageId"] if images else ec2.register_image(Name="seed")["ImageId"]
    ec2.run_instances(ImageId=ami, MinCount=1, MaxCount=1)
print(key["AccessKeyId"])
print(key["SecretAccessKey"])
